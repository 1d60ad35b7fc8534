/**
 * One flash sale through one path: orders arrive at a fixed rate (open model) whatever the path does,
 * Stripe's limit is emulated by the bench's Stripe stand-in for the length of the sale, and the sale ends when
 * every order has finished or its drain time after the last arrival is up.
 *
 *   durable  POST /charge (202 once the workflow exists) → the worker's Stripe queue, held under
 *            STRIPE_MAX_REQUESTS_PER_SECOND by Temporal → the bench sends the signed
 *            payment_intent.succeeded → payments.completed
 *   direct   POST /direct-charge (bench/ceilings/http-server.ts): Stripe, then Kafka, then the answer;
 *            nothing queues, so Stripe's 429 fails the order and the dispatcher gets the error
 */
import { epochOf, monotonicOf, now } from '../clock';
import { chargeBody, type ChargeDriver, type ChargeOutcome, type PostAnswer } from '../full-path/driver';
import { HttpError, type HttpClient } from '../http-client';
import type { CompletionWatcher } from '../kafka-completions';
import { openLoop } from '../open-loop';
import type { ProcSampler } from '../proc-sampler';
import type { BenchStripe } from '../stripe-standin';
import { sleep } from '../../test/support/wait';
import { pathFigures, type OrderRecord, type PathFigures, type SalePath } from './figures';
import type { Storefront } from './storefront';

export const DIRECT_TOPIC = 'bench.direct-charge';

export interface SaleParams {
  readonly charges: number;
  readonly ratePerS: number;
  readonly stripeLimitPerS: number;
  readonly drainSeconds: number;
}

export interface SaleRun {
  readonly figures: PathFigures;
  /** Event ids of accepted orders that did not finish (their workflows may still be open). */
  readonly unfinished: readonly string[];
}

async function runSale(args: {
  path: SalePath;
  route: string;
  params: SaleParams;
  prefix: string;
  proxy: BenchStripe;
  sampler: ProcSampler;
  order: (eventId: string, intendedMs: number) => Promise<OrderRecord>;
  /** Makes every order still waiting give up (they then resolve as lost). */
  expire: () => void;
}): Promise<SaleRun> {
  const { params, prefix } = args;
  const orders: Array<Promise<OrderRecord>> = [];
  const ids: string[] = [];
  const phase = args.sampler.beginPhase();
  await args.proxy.beginSale(params.stripeLimitPerS);
  let startMs: number | undefined;
  try {
    await openLoop(params.ratePerS, params.charges / params.ratePerS, (i, intended) => {
      startMs ??= intended;
      const eventId = `${prefix}${i}`;
      ids.push(eventId);
      orders.push(args.order(eventId, intended));
    });
    const all = Promise.all(orders);
    const timer = new AbortController();
    const drained = await Promise.race([
      all.then(() => true),
      sleep(params.drainSeconds * 1000, timer.signal).then(() => false),
    ]);
    timer.abort();
    if (!drained) args.expire();
    const records = await all;
    const figures = pathFigures({
      path: args.path,
      route: args.route,
      orders: records,
      traffic: await args.proxy.saleTraffic(),
      startMs: startMs ?? now(),
      drained,
      drainLimitS: params.drainSeconds,
      resources: args.sampler.endPhase(phase),
    });
    const unfinished = ids.filter((_, i) => records[i]?.status === 'lost');
    return { figures, unfinished };
  } finally {
    await args.proxy.endSale();
  }
}

/**
 * The durable path: each order driven as the stepped run drives a charge (POST, webhook, Kafka), and,
 * with a storefront, its status polled by GET /charges/:event_id meanwhile until the client_secret
 * shows or the charge no longer waits for the customer.
 */
export function runDurableSale(args: {
  params: SaleParams;
  prefix: string;
  proxy: BenchStripe;
  sampler: ProcSampler;
  driver: ChargeDriver;
  storefront?: Storefront | undefined;
}): Promise<SaleRun> {
  return runSale({
    path: 'durable',
    route: 'POST /charge → Temporal → worker (Stripe activities on their rate-limited queue) → Kafka',
    params: args.params,
    prefix: args.prefix,
    proxy: args.proxy,
    sampler: args.sampler,
    order: async (eventId, intendedMs) => {
      // The storefront reads the charge once its POST is answered (after the 202's Retry-After; the
      // driver tells every POST's answer, refused or failed ones too); the customer pays once it shows
      // the client_secret (or the poll ended otherwise).
      let answered: (answer: PostAnswer) => void = () => {};
      const postAnswered = new Promise<PostAnswer>((resolve) => (answered = resolve));
      const polled = args.storefront?.poll(eventId, postAnswered);
      const outcome = await args.driver.drive(eventId, args.prefix, intendedMs, 0, polled, answered);
      await polled;
      return durableRecord(outcome, intendedMs);
    },
    expire: () => {
      args.driver.expire(args.prefix);
      args.storefront?.expire();
    },
  });
}

export function durableRecord(outcome: ChargeOutcome, intendedMs: number): OrderRecord {
  if (outcome.ok) {
    const t = outcome.timings;
    return {
      intendedMs,
      status: 'completed',
      kind: null,
      postMs: t.postMs,
      finishedMs: intendedMs + t.e2eMs,
      endToEndMs: t.e2eMs,
    };
  }
  const postMs = outcome.postMs ?? null;
  // The driver names a refused POST post_<status> (with its time) or post_<timeout|network>.
  if (outcome.error.startsWith('post_'))
    return {
      intendedMs,
      status: 'refused',
      kind: outcome.error,
      postMs,
      finishedMs: now(),
      endToEndMs: null,
    };
  if (outcome.error === 'wrong_topic_payments.failed')
    return {
      intendedMs,
      status: 'failed',
      kind: 'payments.failed',
      postMs,
      finishedMs: now(),
      endToEndMs: null,
    };
  // No PaymentIntent, no record, or a webhook the bench could not deliver: it never finished.
  return { intendedMs, status: 'lost', kind: outcome.error, postMs, finishedMs: null, endToEndMs: null };
}

/** The direct path: one POST that answers after Stripe and Kafka; its record is read off Kafka too. */
export function runDirectSale(args: {
  params: SaleParams;
  prefix: string;
  proxy: BenchStripe;
  sampler: ProcSampler;
  http: HttpClient;
  directUrl: string;
  completions: CompletionWatcher;
}): Promise<SaleRun> {
  const headers = { 'content-type': 'application/json' };
  const order = async (eventId: string, intendedMs: number): Promise<OrderRecord> => {
    let status: number;
    try {
      status = (
        await args.http.request('POST', `${args.directUrl}/direct-charge`, {
          headers,
          body: chargeBody(eventId),
        })
      ).status;
    } catch (err) {
      const kind = `post_${err instanceof HttpError ? err.kind : 'error'}`;
      return { intendedMs, status: 'refused', kind, postMs: null, finishedMs: now(), endToEndMs: null };
    }
    const answered = now();
    const postMs = answered - intendedMs;
    if (status !== 200) {
      // The route passes Stripe's status on: 429 is Stripe's rate limit.
      const kind = status === 429 ? 'stripe_429' : `post_${status}`;
      return { intendedMs, status: 'refused', kind, postMs, finishedMs: answered, endToEndMs: null };
    }
    const record = await args.completions.completions.wait(eventId);
    if (record === undefined)
      return {
        intendedMs,
        status: 'lost',
        kind: 'no_kafka_record',
        postMs,
        finishedMs: null,
        endToEndMs: null,
      };
    return {
      intendedMs,
      status: 'completed',
      kind: null,
      postMs,
      finishedMs: monotonicOf(record.receivedMs),
      endToEndMs: record.receivedMs - epochOf(intendedMs),
    };
  };
  return runSale({
    path: 'direct',
    route: 'POST /direct-charge → Stripe → Kafka → answer (no queue, no retry)',
    params: args.params,
    prefix: args.prefix,
    proxy: args.proxy,
    sampler: args.sampler,
    order,
    expire: () => args.completions.completions.expire(args.prefix),
  });
}
