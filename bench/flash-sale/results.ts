/** The flash sale's results (bench/results/flash-sale.json), its chart and its printed table. */
import type { TopLevelSpec } from 'vega-lite';
import { STRIPE_DEFAULT_REQUESTS_PER_SECOND } from '../../src/config';
import type { FlashSaleOptions } from '../args';
import { flashSaleSpec } from '../charts/specs';
import type { MachineInfo } from '../machine';
import { round, type LatencySummary } from '../stats';
import { durableChecks, type PathFigures, type SaleCheck } from './figures';
import type { StorefrontFigures } from './storefront';

export const DEFINITIONS = {
  accepted: 'POST answered 2xx: durable 202 (the charge workflow exists), direct 200 (Stripe and Kafka done)',
  completed:
    "the order's record read from Kafka by the end of the drain (durable payments.completed, direct bench.direct-charge)",
  failed: 'ended without a charge: POST refused (not 2xx, or no answer), or durable payments.failed',
  refused:
    "POST not answered 2xx: on the direct path Stripe's 429 passed on to the dispatcher, which would have to retry",
  lost_accepted: 'accepted, and neither completed nor failed when the drain ended',
  lost: 'lost_accepted + refused: orders that came to nothing and that nothing will retry (this bench, as dispatcher, never retries)',
  stripe_requests: 'requests that reached the emulated Stripe, 429s included',
  max_accepted_in_any_1s:
    'the most requests Stripe accepted in any 1 s window (the emulator refuses above the limit)',
  max_arrivals_in_any_1s:
    'the most requests that reached Stripe in any 1 s window: what the path itself sent',
  post_ms: 'POST response time from the intended send time, every answered POST',
  time_to_drain_s: 'last arrival to the last order finished (the drain limit when some never did)',
  backlog: 'orders sent and not yet finished (completed, failed or refused) at the end of each second',
  storefront:
    'with --poll-storefront: GET /charges/:event_id per durable charge until its client_secret shows or it ends; ' +
    "gateway_stripe_requests is the gateway process's payments_stripe_requests_total over the sale",
} as const;

export interface FlashSaleResults {
  readonly run_id: string;
  readonly mode: 'flash-sale' | 'smoke';
  /** The harness worked and the durable path kept every charge (see ok_means). */
  readonly ok: boolean;
  readonly ok_means: string;
  readonly problems: readonly string[];
  readonly started_at: string;
  readonly duration_s: number;
  readonly sale: {
    readonly charges: number;
    readonly arrival_rate_per_s: number;
    readonly stripe_limit_per_s: number;
    readonly stripe_limit_emulation: string;
    /** The durable worker's STRIPE_MAX_REQUESTS_PER_SECOND. */
    readonly worker_stripe_requests_per_s: number;
    readonly worker_stripe_rate_source: 'service default' | '--flash-stripe-rate';
    readonly drain_limit_s: number;
    readonly order: string;
  };
  readonly definitions: typeof DEFINITIONS;
  readonly durable: PathFigures;
  readonly direct: PathFigures;
  /** The storefront polling the durable path's charges (--poll-storefront); null without one. */
  readonly storefront: StorefrontFigures | null;
  /** The issue's bar for the durable path, read from the figures above. */
  readonly durable_checks: readonly SaleCheck[];
  readonly durable_meets_bar: boolean;
  readonly chart: string | null;
  readonly machine: MachineInfo | null;
  readonly options: FlashSaleOptions;
}

export function workerStripeRate(options: FlashSaleOptions): number {
  return options.workerStripeRatePerS ?? STRIPE_DEFAULT_REQUESTS_PER_SECOND.test;
}

export function flashSaleResults(args: {
  runId: string;
  smoke: boolean;
  options: FlashSaleOptions;
  startedAt: Date;
  problems: readonly string[];
  durable: PathFigures;
  direct: PathFigures;
  storefront?: StorefrontFigures | null;
  chart: string | null;
  machine: MachineInfo | null;
}): FlashSaleResults {
  const { options, durable, direct } = args;
  const storefront = args.storefront ?? null;
  const checks = durableChecks(durable, options.stripeLimitPerS, storefront);
  const directFailures = Object.keys(direct.failure_kinds).filter((k) => k !== 'stripe_429');
  return {
    run_id: args.runId,
    mode: args.smoke ? 'smoke' : 'flash-sale',
    ok:
      args.problems.length === 0 &&
      durable.completed === durable.sent &&
      durable.drained &&
      direct.drained &&
      direct.lost_accepted === 0 &&
      directFailures.length === 0,
    ok_means:
      'no problems; durable: every charge completed; direct: every order answered, refused only by ' +
      "Stripe's 429, every accepted one on Kafka (the bar below is reported, not part of ok)",
    problems: args.problems,
    started_at: args.startedAt.toISOString(),
    duration_s: round((Date.now() - args.startedAt.getTime()) / 1000),
    sale: {
      charges: options.charges,
      arrival_rate_per_s: options.ratePerS,
      stripe_limit_per_s: options.stripeLimitPerS,
      stripe_limit_emulation:
        "the bench's Stripe stand-in in front of stripe-mock: a sliding 1 s window over the requests it accepted; above the " +
        "limit HTTP 429 with Stripe's error body (type invalid_request_error, code rate_limit) and no Retry-After",
      worker_stripe_requests_per_s: workerStripeRate(options),
      worker_stripe_rate_source:
        options.workerStripeRatePerS === null ? 'service default' : '--flash-stripe-rate',
      drain_limit_s: options.drainSeconds,
      order: 'durable first, then direct, one after the other on the same stack',
    },
    definitions: DEFINITIONS,
    durable,
    direct,
    storefront,
    durable_checks: checks,
    durable_meets_bar: checks.every((c) => c.met),
    chart: args.chart,
    machine: args.machine,
    options,
  };
}

export function flashSaleChart(
  r: Pick<FlashSaleResults, 'run_id' | 'sale' | 'durable' | 'direct' | 'machine'>,
): TopLevelSpec {
  const s = r.sale;
  const m = r.machine;
  const summary = (p: PathFigures) =>
    `${p.path}: ${p.completed} of ${p.sent} completed, ${p.lost} lost, ${p.stripe.rate_limited_429} Stripe 429s, ` +
    `POST p99 ${p.post_ms.p99 ?? '-'} ms, drained ${p.drained ? `in ${p.time_to_drain_s} s` : 'never'}`;
  return flashSaleSpec({
    title: `Flash sale: ${s.charges} charges at ${s.arrival_rate_per_s}/s against Stripe's limit of ${s.stripe_limit_per_s}/s`,
    subtitle: [
      summary(r.durable),
      summary(r.direct),
      `run ${r.run_id}` +
        (m ? ` · ${m.cores} cores, load ${m.load_average_at_start.join(' ')} at start` : ''),
    ],
    stripeLimitPerS: s.stripe_limit_per_s,
    paths: [
      {
        name: `durable: gateway → Temporal → worker (Stripe at ${s.worker_stripe_requests_per_s}/s)`,
        per_second: r.durable.per_second,
      },
      { name: 'direct: Fastify → Stripe → Kafka, no queue, no retry', per_second: r.direct.per_second },
    ],
  });
}

const pp = (l: LatencySummary): string => `${l.p50 ?? '-'} / ${l.p99 ?? '-'}`;

export function formatFlashTable(r: FlashSaleResults): string {
  const { durable: d, direct: x } = r;
  const pct = (p: PathFigures) =>
    `${p.stripe.rate_limited_429} (${round(p.stripe.rate_limited_share * 100, 2)} %)`;
  const rows: Array<[string, string, string]> = [
    ['figure', 'durable', 'direct'],
    ['sent', `${d.sent}`, `${x.sent}`],
    ['accepted (POST 2xx)', `${d.accepted}`, `${x.accepted}`],
    ['completed (record on Kafka)', `${d.completed}`, `${x.completed}`],
    ['failed (POST refused, or payments.failed)', `${d.failed}`, `${x.failed}`],
    [
      'lost (accepted, never finished + refused, not retried)',
      `${d.lost_accepted} + ${d.refused}`,
      `${x.lost_accepted} + ${x.refused}`,
    ],
    ['Stripe requests (429s included)', `${d.stripe.requests}`, `${x.stripe.requests}`],
    ['Stripe 429s (share of requests)', pct(d), pct(x)],
    [
      'max Stripe requests accepted in any 1 s',
      `${d.stripe.max_accepted_in_any_1s}`,
      `${x.stripe.max_accepted_in_any_1s}`,
    ],
    [
      'max Stripe requests arriving in any 1 s',
      `${d.stripe.max_arrivals_in_any_1s}`,
      `${x.stripe.max_arrivals_in_any_1s}`,
    ],
    ['POST p50 / p99 (ms)', pp(d.post_ms), pp(x.post_ms)],
    ['end to end p50 / p99 (ms)', pp(d.end_to_end_ms), pp(x.end_to_end_ms)],
    ['arrivals (s) / time to drain (s)', `${d.arrivals_s} / ${drain(d)}`, `${x.arrivals_s} / ${drain(x)}`],
    ['failure kinds', kinds(d), kinds(x)],
  ];
  const f = r.storefront;
  const storefrontLines =
    f === null
      ? []
      : [
          `storefront (durable path): GET /charges/:event_id every ${f.poll_interval_ms} ms per charge: ` +
            `${f.charges_polled} charges, ${f.gets} GETs (${f.gets_per_charge_mean} per charge; answers ` +
            `${Object.entries(f.answers)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`,
          `  client_secret shown for ${f.secret_shown}, charge ended first for ${f.ended_first}, gave up on ${f.gave_up}, ` +
            `POST not accepted for ${f.not_accepted}; ` +
            `${f.hinted_waits} waits longer than the interval on the gateway's Retry-After`,
          `  Stripe's 429s: ${pct(d)} of its requests; Stripe reads made by the gateway: ` +
            `${f.gateway_stripe_requests ?? 'unread'} (transitional secret reads through the worker's queue: ` +
            `${f.gateway_transitional_reads ?? 'unread'})`,
          '-'.repeat(20),
        ];
  const w0 = Math.max(...rows.map((row) => row[0].length));
  const w1 = Math.max(...rows.map((row) => row[1].length));
  const lines = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  const rule = '-'.repeat(w0 + w1 + 30);
  const s = r.sale;
  const m = r.machine;
  const header =
    `flash sale (${r.mode}) run ${r.run_id}: ${s.charges} charges per path at ${s.arrival_rate_per_s}/s, Stripe's ` +
    `limit ${s.stripe_limit_per_s}/s (emulated), durable worker STRIPE_MAX_REQUESTS_PER_SECOND ` +
    `${s.worker_stripe_requests_per_s} (${s.worker_stripe_rate_source})` +
    (m ? `; ${m.cores} cores, load avg at start ${m.load_average_at_start.join(' ')}` : '');
  const checks = r.durable_checks.map(
    (c) => `  ${c.met ? 'yes' : 'NO '}  ${c.check}: ${c.value ?? '-'} (target ${c.target})`,
  );
  return [
    header,
    rule,
    ...lines,
    rule,
    ...storefrontLines,
    `durable path against the issue's bar: ${r.durable_meets_bar ? 'met' : 'NOT met'}` +
      (r.mode === 'smoke' && !r.durable_meets_bar
        ? " (a smoke's few charges on a machine busy with the suite: its figures are not what it is for)"
        : ''),
    ...checks,
    rule,
    'lost on the direct path: the orders Stripe refused with 429; the route passes the error on, nothing keeps',
    'the order, and only a retry by the dispatcher (none here) would bring it back',
    ...(r.problems.length > 0 ? [`PROBLEMS: ${r.problems.join('; ')}`] : []),
    `${r.ok ? 'OK' : 'NOT OK'}: results in ${r.options.out}${r.chart ? `, chart ${r.chart}` : ''} (${r.duration_s} s)`,
  ].join('\n');
}

function drain(p: PathFigures): string {
  return p.drained ? `${p.time_to_drain_s}` : `not drained in ${p.time_to_drain_s}`;
}

function kinds(p: PathFigures): string {
  const entries = Object.entries(p.failure_kinds);
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k}=${n}`).join(', ');
}
