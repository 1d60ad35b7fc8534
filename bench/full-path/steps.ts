/** One step of the full charge path at a fixed arrival rate, and the repeated-POST (duplicate) phase. */
import { now } from '../clock';
import type { HttpClient } from '../http-client';
import { jsonBody } from '../http-client';
import { openLoop } from '../open-loop';
import type { PhaseUsage, ProcSampler } from '../proc-sampler';
import { ErrorCounts, Samples, round, type LatencySummary } from '../stats';
import type { BucketQuantiles, SdkHistogramName } from '../sdk-metrics';
import { sleep } from '../../test/support/wait';
import { AUTH, type ChargeDriver, type ChargeOutcome } from './driver';

export interface StepResult {
  readonly label: string;
  readonly offered_per_s: number;
  readonly seconds: number;
  readonly sent: number;
  readonly accepted: number;
  readonly accepted_per_s: number;
  readonly completed: number;
  readonly completed_within_slo: number;
  /** Charges not completed when the step's drain time ran out (no PaymentIntent or no Kafka record). */
  readonly incomplete: number;
  /** Failed requests and wrong answers (an incomplete charge is not counted here). */
  readonly errors: number;
  readonly error_kinds: Record<string, number>;
  readonly latency_ms: {
    readonly post_charge: LatencySummary;
    readonly payment_intent_wait: LatencySummary;
    readonly webhook: LatencySummary;
    readonly end_to_end: LatencySummary;
    readonly end_to_end_record_ts: LatencySummary;
  };
  /** How late the generator itself fired, at worst (large values: the bench was CPU-starved). */
  readonly max_fire_lag_ms: number;
  /** From the step's last send until every charge had finished (or the drain gave up). */
  readonly drain_s: number;
  readonly passed: boolean;
  readonly resources: PhaseUsage;
  /** Charges that completed, for the duplicate phase. */
  readonly completedBodies: readonly string[];
  /** Event ids of charges that did not complete: their workflows may still be open. */
  readonly unfinished: readonly string[];
  /** The worker's own task latencies over the step (from its /metrics), when they could be read. */
  readonly worker_sdk_ms?: Record<SdkHistogramName, BucketQuantiles> | null;
  /** The step's POSTs carried `Prefer: wait=N` (the early answer). */
  readonly prefer_wait_s?: number;
  /** Of those, how many were answered early (201); the rest were the plain 202. */
  readonly early_answers?: number;
}

export async function runStep(args: {
  driver: ChargeDriver;
  sampler: ProcSampler;
  label: string;
  prefix: string;
  rate: number;
  seconds: number;
  drainSeconds: number;
  sloMs: number;
  /** `Prefer: wait=N` on every POST; 0 or absent: none. */
  preferWait?: number;
}): Promise<StepResult> {
  const { driver, sampler, label, prefix, rate, seconds, sloMs } = args;
  const preferWait = args.preferWait ?? 0;
  const outcomes: Array<Promise<ChargeOutcome>> = [];
  const phase = sampler.beginPhase();
  const generated = await openLoop(rate, seconds, (i, intended) => {
    outcomes.push(driver.drive(`${prefix}${i}`, prefix, intended, preferWait));
  });
  const lastSend = now();
  const all = Promise.all(outcomes);
  const drainTimer = new AbortController();
  const drained = await Promise.race([
    all.then(() => true),
    sleep(args.drainSeconds * 1000, drainTimer.signal).then(() => false),
  ]);
  drainTimer.abort();
  if (!drained) driver.expire(prefix);
  const results = await all;
  const drainS = (now() - lastSend) / 1000;
  if (!drained) await settle(driver, prefix);
  const resources = sampler.endPhase(phase);

  const post = new Samples();
  const piWait = new Samples();
  const webhook = new Samples();
  const e2e = new Samples();
  const e2eRecord = new Samples();
  const errors = new ErrorCounts();
  const completedBodies: string[] = [];
  const unfinished: string[] = [];
  let accepted = 0;
  let withinSlo = 0;
  let early = 0;
  for (const outcome of results) {
    if (outcome.ok) {
      const t = outcome.timings;
      accepted++;
      post.add(t.postMs);
      piWait.add(t.piWaitMs);
      webhook.add(t.webhookMs);
      e2e.add(t.e2eMs);
      e2eRecord.add(t.e2eRecordMs);
      if (t.e2eMs <= sloMs) withinSlo++;
      if (t.early) early++;
      completedBodies.push(outcome.body);
    } else {
      errors.add(outcome.error);
      unfinished.push(outcome.eventId);
      if (outcome.postMs !== undefined) {
        accepted++;
        post.add(outcome.postMs);
      }
    }
  }
  const sent = results.length;
  const completed = e2e.count;
  const incomplete = Object.entries(errors.counts)
    .filter(([kind]) => kind.startsWith('incomplete_'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    label,
    offered_per_s: rate,
    seconds,
    sent,
    accepted,
    accepted_per_s: round(accepted / seconds),
    completed,
    completed_within_slo: withinSlo,
    incomplete,
    errors: errors.total - incomplete,
    error_kinds: errors.counts,
    latency_ms: {
      post_charge: post.summary(),
      payment_intent_wait: piWait.summary(),
      webhook: webhook.summary(),
      end_to_end: e2e.summary(),
      end_to_end_record_ts: e2eRecord.summary(),
    },
    max_fire_lag_ms: round(generated.maxFireLagMs),
    drain_s: round(drainS, 2),
    passed: sent === generated.scheduled && completed === sent && withinSlo === sent,
    resources,
    completedBodies,
    unfinished,
    ...(preferWait > 0 ? { prefer_wait_s: preferWait, early_answers: early } : {}),
  };
}

/**
 * After an overloaded step, the backlog it left (workflows still finishing) would be measured as
 * part of whatever runs next: wait until its late completions stop arriving (at most a minute).
 */
async function settle(driver: ChargeDriver, prefix: string): Promise<void> {
  const deadline = now() + 60_000;
  let seen = driver.completedCount(prefix);
  while (now() < deadline) {
    await sleep(2000);
    const count = driver.completedCount(prefix);
    if (count === seen) return;
    seen = count;
  }
}

export interface DuplicateResult {
  readonly offered_per_s: number;
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly error_kinds: Record<string, number>;
  /** From the intended send time. */
  readonly latency_ms: LatencySummary;
  /** The new charges driven at the same time, if any. */
  readonly alongside: AlongsideLoad | null;
}

export type AlongsideLoad = Pick<
  StepResult,
  'offered_per_s' | 'sent' | 'completed' | 'errors' | 'incomplete' | 'passed'
>;

export function alongsideLoad(step: StepResult): AlongsideLoad {
  const { offered_per_s, sent, completed, errors, incomplete, passed } = step;
  return { offered_per_s, sent, completed, errors, incomplete, passed };
}

/** Repeats POST /charge for charges that exist: the answer is 200 with duplicate=true. */
export async function runDuplicates(args: {
  http: HttpClient;
  gatewayUrl: string;
  bodies: readonly string[];
  rate: number;
  seconds: number;
}): Promise<Omit<DuplicateResult, 'alongside'>> {
  const latency = new Samples();
  const errors = new ErrorCounts();
  const calls: Array<Promise<void>> = [];
  let ok = 0;
  if (args.bodies.length > 0) {
    await openLoop(args.rate, args.seconds, (i, intended) => {
      const body = args.bodies[i % args.bodies.length] ?? '';
      calls.push(
        args.http
          .request('POST', `${args.gatewayUrl}/charge`, {
            headers: { 'content-type': 'application/json', ...AUTH },
            body,
          })
          .then(
            (res) => {
              latency.add(now() - intended);
              if (res.status === 200 && jsonBody(res)?.['duplicate'] === true) ok++;
              else errors.add(`duplicate_${res.status}`);
            },
            (err: unknown) => errors.add(err instanceof Error ? err.name : 'error'),
          ),
      );
    });
  } else {
    errors.add('no_completed_charge_to_repeat');
  }
  await Promise.all(calls);
  return {
    offered_per_s: args.rate,
    seconds: args.seconds,
    sent: calls.length,
    ok,
    errors: errors.total,
    error_kinds: errors.counts,
    latency_ms: latency.summary(),
  };
}
