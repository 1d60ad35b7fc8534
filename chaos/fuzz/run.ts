/**
 * Fuzzes POST /charge on a real gateway (this process, PAYMENTS_MODE=gateway) connected to the real
 * Temporal with a task queue of its own and no worker. Every invalid body must get a 400 naming the
 * broken fields (errors[].field + reason), never another status, and start no workflow: counted in
 * Temporal by a visibility query on the task queue, after a valid control charge proves the count
 * sees starts.
 */
import { randomUUID } from 'node:crypto';
import { CHARGE_BODY_LIMIT_BYTES } from '../../src/api/charges/routes';
import { chargeWorkflowId } from '../../src/contracts/charge';
import { AUTH_HEADER, startTestService } from '../../test/support/service';
import { stackAddresses } from '../../test/support/stack';
import { waitUntil } from '../../test/support/wait';
import { seededRandom } from '../common/random';
import { connectTemporal, countByTaskQueue, listByTaskQueue } from '../common/temporal';
import { fuzzCase, type FuzzCase } from './cases';

export interface FuzzFailure {
  readonly index: number;
  readonly description: string;
  readonly status: number | 'conn';
  readonly problem: string;
  readonly body: string;
  readonly answer: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly byStatus: Record<string, number>;
  readonly byCategory: Record<string, number>;
  readonly serverErrors: number;
  /** 2xx answers: an invalid body taken as a charge. */
  readonly acceptedAnswers: number;
  /** 4xx answers other than 400. */
  readonly wrongStatus: number;
  readonly withoutFieldErrors: number;
  readonly brokenFieldNotNamed: number;
  readonly workflowsStarted: number;
  readonly controlAccepted: boolean;
  /** The largest body sent: under the 64 KiB limit, so no case is due a 413. */
  readonly largestBodyBytes: number;
  readonly casesPerSecond: number;
  readonly wallSeconds: number;
  readonly failures: readonly FuzzFailure[];
  readonly passed: boolean;
}

interface ErrorAnswer {
  readonly errors?: ReadonlyArray<{ readonly field?: unknown; readonly reason?: unknown }>;
}

/**
 * The one answer due to every generated case: schema violations, an unknown currency (checked
 * after the schema), JSON that is not an object, bytes that are not JSON and JSON the parser refuses
 * are all 400 invalid_request / invalid_json with field errors. No case reaches the body limit (the
 * report's largestBodyBytes shows it), the only place where the contract answers otherwise (413).
 */
export const INVALID_BODY_STATUS = 400;

const names = (expected: string, field: string): boolean =>
  field === expected || field.startsWith(`${expected}.`);

/** What is wrong with the answer to one case, or undefined when it is a proper field-level 400. */
function judge(c: FuzzCase, status: number | 'conn', text: string): string | undefined {
  if (status === 'conn') return 'no answer (connection error)';
  if (status >= 500) return `server error ${status}`;
  if (status < 400) return `accepted with ${status}`;
  if (status !== INVALID_BODY_STATUS) return `answered ${status}, not ${INVALID_BODY_STATUS}`;
  let answer: ErrorAnswer;
  try {
    answer = JSON.parse(text) as ErrorAnswer;
  } catch {
    return 'the 400 body is not JSON';
  }
  const errors = answer.errors ?? [];
  const valid = errors.filter(
    (e) => typeof e.field === 'string' && e.field !== '' && typeof e.reason === 'string' && e.reason !== '',
  );
  if (errors.length === 0 || valid.length !== errors.length) return 'no field-level errors (field + reason)';
  const missing = c.expectedFields.filter((f) => !valid.some((e) => names(f, e.field as string)));
  return missing.length > 0 ? `does not name ${missing.join(', ')}` : undefined;
}

const tally = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

export async function runChargeFuzz(options: {
  readonly cases: number;
  readonly seed: number;
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const taskQueue = `fuzz-${randomUUID()}`;
  const service = await startTestService({
    PAYMENTS_MODE: 'gateway',
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
  });
  const temporal = await connectTemporal(stackAddresses());
  const random = seededRandom(options.seed);
  const byStatus = new Map<string, number>();
  const byCategory = new Map<string, number>();
  const failures: FuzzFailure[] = [];
  let serverErrors = 0;
  let acceptedAnswers = 0;
  let wrongStatus = 0;
  let withoutFieldErrors = 0;
  let brokenFieldNotNamed = 0;
  try {
    // Generated in order from one seed, so case i is the same in every run with that seed.
    const tag = taskQueue.slice(5, 13);
    const cases = Array.from({ length: options.cases }, (_, i) => fuzzCase(random, `${tag}-${i}`));
    const largestBodyBytes = Math.max(...cases.map((c) => Buffer.byteLength(c.body)));
    let next = 0;
    const sendStarted = Date.now();
    const worker = async (): Promise<void> => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i] as FuzzCase;
        tally(byCategory, c.category);
        let status: number | 'conn' = 'conn';
        let text = '';
        try {
          const res = await fetch(`${service.url}/charge`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...AUTH_HEADER },
            body: c.body,
            signal: AbortSignal.timeout(30_000),
          });
          status = res.status;
          text = await res.text();
        } catch {
          // counted as 'conn'
        }
        tally(byStatus, String(status));
        const problem = judge(c, status, text);
        if (problem === undefined) continue;
        if (status === 'conn' || status >= 500) serverErrors += 1;
        else if (status < 400) acceptedAnswers += 1;
        else if (status !== INVALID_BODY_STATUS) wrongStatus += 1;
        else if (problem.startsWith('no field-level')) withoutFieldErrors += 1;
        else if (problem.startsWith('does not name')) brokenFieldNotNamed += 1;
        if (failures.length < 50) {
          failures.push({
            index: i,
            description: `${c.category} (${c.description})`,
            status,
            problem,
            body: c.body.toString().slice(0, 400),
            answer: text.slice(0, 400),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, () => worker()));
    const sendSeconds = (Date.now() - sendStarted) / 1000;
    log(`${cases.length} cases sent in ${sendSeconds.toFixed(1)} s`);

    // Control: a valid charge starts exactly one workflow, and the count sees it.
    const controlId = `fuzz-control-${randomUUID()}`;
    const control = await fetch(`${service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify({
        event_id: controlId,
        order_id: 'order-fuzz-control',
        amount: 100,
        currency: 'usd',
      }),
    });
    const controlAccepted = control.status === 202;
    if (controlAccepted) {
      await waitUntil(
        async () => (await countByTaskQueue(temporal, taskQueue)) >= 1,
        'the control charge to be visible',
        30_000,
      );
    }
    const started = (await listByTaskQueue(temporal, taskQueue)).filter(
      (w) => w.workflowId !== chargeWorkflowId(controlId),
    );
    for (const w of started) {
      failures.push({
        index: -1,
        description: 'workflow started',
        status: 202,
        problem: w.workflowId,
        body: '',
        answer: '',
      });
    }
    if (controlAccepted)
      await temporal.workflow.getHandle(chargeWorkflowId(controlId)).terminate('fuzz control charge');

    const sorted = (map: Map<string, number>) =>
      Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
    return {
      seed: options.seed,
      cases: cases.length,
      byStatus: sorted(byStatus),
      byCategory: sorted(byCategory),
      serverErrors,
      acceptedAnswers,
      wrongStatus,
      withoutFieldErrors,
      brokenFieldNotNamed,
      workflowsStarted: started.length,
      controlAccepted,
      largestBodyBytes,
      casesPerSecond: Math.round(cases.length / sendSeconds),
      wallSeconds: Math.round((Date.now() - began) / 100) / 10,
      failures,
      passed: failures.length === 0 && controlAccepted && largestBodyBytes < CHARGE_BODY_LIMIT_BYTES,
    };
  } finally {
    await temporal.connection.close();
    await service.stop();
  }
}
