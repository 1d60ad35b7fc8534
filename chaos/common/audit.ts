/**
 * Counts from the outside, after the run: what Stripe holds and was asked (the run's stand-in: its
 * PaymentIntents and its request recorder), what Temporal holds (visibility, by task queue), and what
 * Kafka carries (both payment topics, read to their end). Every event id must have exactly one
 * idempotency key, exactly one PaymentIntent at Stripe in the state of the planned outcome, exactly
 * one workflow, and exactly one final outcome on Kafka, the one Stripe reported. Repeated records (same message_id) are counted, not
 * failed: a retried publish may write twice and consumers drop by message_id.
 */
import type { Client } from '@temporalio/client';
import { chargeWorkflowId, paymentIntentIdempotencyKey } from '../../src/contracts/charge';
import { ChargeStatusSearchAttribute } from '../../src/workflows/messages';
import { readRecordsFor } from '../../test/support/kafka-reader';
import type { StandinControl } from '../../tools/stripe-standin/control-client';
import type { UnexpectedExit } from './deployment';
import type { ChargeResult } from './lifecycle';
import type { FinalOutcome } from './stripe-side';
import { listByTaskQueue } from './temporal';
import type { Violations } from './violations';

export const PAYMENT_TOPICS = ['payments.completed', 'payments.failed'] as const;
const TOPIC_OF: Record<FinalOutcome, string> = { succeeded: 'payments.completed', failed: 'payments.failed' };

export interface ExpectedCharge {
  readonly eventId: string;
  readonly outcome: FinalOutcome;
  /** The PaymentIntent the charge showed the dispatcher; the record must name it. */
  readonly paymentIntentId: string | undefined;
}

export interface AuditFigures {
  readonly paymentIntentCreates: number;
  /** PaymentIntents the stand-in keeps for the run's event ids. */
  readonly paymentIntentsAtStripe: number;
  readonly paymentIntentsPerEventMax: number;
  readonly idempotencyKeys: number;
  readonly createsPerKeyMax: number;
  readonly keysPerEventMax: number;
  readonly workflows: number;
  readonly workflowsPerEventMax: number;
  readonly workflowsCompleted: number;
  readonly kafkaRecords: number;
  readonly outcomesSucceeded: number;
  readonly outcomesFailed: number;
  readonly outcomesPerEventMax: number;
  readonly lost: number;
  readonly duplicateRecords: number;
}

function tally<K>(items: Iterable<K>): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

const maxOf = (values: Iterable<number>): number => Math.max(0, ...values);

/** What Stripe was asked: one idempotency key per event id, the one the service derives from it. */
async function auditStripeRequests(
  expected: readonly ExpectedCharge[],
  standin: StandinControl,
  violations: Violations,
) {
  const ids = new Set(expected.map((e) => e.eventId));
  const { data } = await standin.requests({ method: 'POST', path: '/v1/payment_intents' });
  const creates = data
    .filter((r) => r.path === '/v1/payment_intents')
    .map((r) => ({ eventId: r.params['metadata[event_id]'], idempotencyKey: r.idempotency_key }))
    .filter((c) => c.eventId !== undefined && ids.has(c.eventId));
  const keysByEvent = new Map<string, Set<string>>();
  for (const c of creates) {
    const keys = keysByEvent.get(c.eventId ?? '') ?? new Set<string>();
    keys.add(c.idempotencyKey ?? '(none)');
    keysByEvent.set(c.eventId ?? '', keys);
  }
  for (const { eventId } of expected) {
    const keys = [...(keysByEvent.get(eventId) ?? [])];
    if (keys.length === 0) violations.add('no PaymentIntent create', '', eventId);
    else if (keys.length > 1)
      violations.add('several idempotency keys for one event id', keys.join(' '), eventId);
    else if (keys[0] !== paymentIntentIdempotencyKey(eventId))
      violations.add('unexpected idempotency key', keys[0] ?? '', eventId);
  }
  const perKey = tally(creates.map((c) => c.idempotencyKey ?? '(none)'));
  return {
    paymentIntentCreates: creates.length,
    idempotencyKeys: perKey.size,
    createsPerKeyMax: maxOf(perKey.values()),
    keysPerEventMax: maxOf([...keysByEvent.values()].map((k) => k.size)),
  };
}

/** Stripe's state of the money planned to succeed is succeeded; of one planned to fail, anything else. */
const AGREES: Record<FinalOutcome, (status: string) => boolean> = {
  succeeded: (status) => status === 'succeeded',
  failed: (status) => status !== 'succeeded',
};

/** What Stripe holds: exactly one PaymentIntent per event id, in the state of the charge's outcome. */
export async function auditStripeState(
  expected: readonly ExpectedCharge[],
  standin: StandinControl,
  violations: Violations,
) {
  const counts: number[] = [];
  const queue = [...expected];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { eventId, outcome } = next;
      const pis = await standin.paymentIntentsFor(eventId);
      counts.push(pis.length);
      if (pis.length !== 1)
        violations.add(`${pis.length} PaymentIntents at Stripe for one event id`, '', eventId);
      for (const pi of pis) {
        if (!AGREES[outcome](pi.status))
          violations.add(
            "Stripe's PaymentIntent disagrees with the outcome",
            `${pi.status} ≠ ${outcome}`,
            eventId,
          );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return {
    paymentIntentsAtStripe: counts.reduce((a, b) => a + b, 0),
    paymentIntentsPerEventMax: maxOf(counts),
  };
}

async function auditTemporal(
  expected: readonly ExpectedCharge[],
  client: Client,
  taskQueue: string,
  violations: Violations,
) {
  const infos = await listByTaskQueue(client, taskQueue);
  const byId = new Map<string, typeof infos>();
  for (const info of infos) byId.set(info.workflowId, [...(byId.get(info.workflowId) ?? []), info]);
  const expectedIds = new Set(expected.map((e) => chargeWorkflowId(e.eventId)));
  for (const id of byId.keys()) if (!expectedIds.has(id)) violations.add('unexpected workflow', id);
  for (const { eventId, outcome } of expected) {
    const runs = byId.get(chargeWorkflowId(eventId)) ?? [];
    if (runs.length !== 1) {
      violations.add(`${runs.length} workflows for one event id`, '', eventId);
      continue;
    }
    const [run] = runs;
    if (run?.status.name !== 'COMPLETED')
      violations.add('workflow not completed', run?.status.name ?? '', eventId);
    const status = run?.typedSearchAttributes.get(ChargeStatusSearchAttribute);
    if (status !== outcome) violations.add('workflow ChargeStatus differs from Stripe', `${status}`, eventId);
  }
  return {
    workflows: infos.length,
    workflowsPerEventMax: maxOf([...byId.values()].map((runs) => runs.length)),
    workflowsCompleted: infos.filter((i) => i.status.name === 'COMPLETED').length,
  };
}

async function auditKafka(expected: readonly ExpectedCharge[], violations: Violations) {
  const records = await readRecordsFor(PAYMENT_TOPICS, new Set(expected.map((e) => e.eventId)));
  const byEvent = new Map<string, typeof records>();
  for (const r of records) {
    const id = r.headers['event_id'] ?? '';
    byEvent.set(id, [...(byEvent.get(id) ?? []), r]);
  }
  let lost = 0;
  let succeeded = 0;
  let failed = 0;
  for (const { eventId, outcome, paymentIntentId } of expected) {
    const mine = byEvent.get(eventId) ?? [];
    const statuses = [...new Set(mine.map((r) => r.headers['status']))];
    if (mine.length === 0) {
      lost += 1;
      violations.add('outcome lost: no record on Kafka', outcome, eventId);
      continue;
    }
    if (statuses.length > 1) violations.add('several outcomes on Kafka', statuses.join(','), eventId);
    if (statuses.includes('succeeded')) succeeded += 1;
    if (statuses.includes('failed')) failed += 1;
    if (!statuses.includes(outcome)) {
      lost += 1;
      violations.add('outcome on Kafka differs from Stripe', `${statuses.join(',')} ≠ ${outcome}`, eventId);
    }
    for (const r of mine) {
      if (r.topic !== TOPIC_OF[outcome]) violations.add('record on the wrong topic', r.topic, eventId);
      if (r.headers['message_id'] !== `charge:${eventId}:${r.headers['status']}`)
        violations.add('unexpected message_id', r.headers['message_id'] ?? '', eventId);
      if (paymentIntentId !== undefined && r.value['payment_intent_id'] !== paymentIntentId)
        violations.add('record names another PaymentIntent', String(r.value['payment_intent_id']), eventId);
    }
  }
  const messageIds = tally(records.map((r) => r.headers['message_id'] ?? ''));
  return {
    kafkaRecords: records.length,
    outcomesSucceeded: succeeded,
    outcomesFailed: failed,
    outcomesPerEventMax: maxOf(
      [...byEvent.values()].map((rs) => new Set(rs.map((r) => r.headers['status'])).size),
    ),
    lost,
    duplicateRecords: records.length - messageIds.size,
  };
}

/**
 * The whole after-run audit of a chaos or soak run: Stripe, Temporal and Kafka against what each
 * charge should have ended as, and a violation for every role process that exited by itself.
 */
export async function auditRun(input: {
  readonly results: readonly ChargeResult[];
  readonly standin: StandinControl;
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly unexpectedExits: readonly UnexpectedExit[];
  readonly violations: Violations;
}): Promise<AuditFigures> {
  const { violations } = input;
  const expected: ExpectedCharge[] = input.results.map((r) => ({
    eventId: r.plan.body.event_id,
    outcome: r.plan.outcome,
    paymentIntentId: r.paymentIntentId,
  }));
  for (const exit of input.unexpectedExits) {
    violations.add('a role exited by itself', `${exit.role} pid ${exit.pid} code ${exit.code} at ${exit.at}`);
  }
  return {
    ...(await auditStripeRequests(expected, input.standin, violations)),
    ...(await auditStripeState(expected, input.standin, violations)),
    ...(await auditTemporal(expected, input.temporal, input.taskQueue, violations)),
    ...(await auditKafka(expected, violations)),
  };
}
