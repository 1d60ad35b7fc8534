/**
 * The figures of a flash sale, from what the bench saw of each order (its send, its answer, its
 * record on Kafka) and of Stripe (the emulator's timestamps): counts, latencies, the per-second
 * timeline the chart draws, and the bar for the durable path.
 */
import type { PhaseUsage } from '../proc-sampler';
import { Samples, round, type LatencySummary } from '../stats';
import { maxInWindow, type StripeTraffic } from '../stripe-limit';
import type { StorefrontFigures } from './storefront';

export type SalePath = 'durable' | 'direct';

/** What became of one order by the end of the sale. */
export interface OrderRecord {
  /** Intended send time (monotonic ms). */
  readonly intendedMs: number;
  /**
   * completed: its record is on Kafka; failed: it ended without a charge, on payments.failed;
   * refused: POST answered other than 2xx (or not at all); lost: accepted, and neither completed
   * nor failed when the drain ended.
   */
  readonly status: 'completed' | 'failed' | 'refused' | 'lost';
  /** Why, when not completed, e.g. `stripe_429`, `post_503`, `incomplete_no_kafka_record`. */
  readonly kind: string | null;
  /** POST response time from the intended send time; null when it was never answered. */
  readonly postMs: number | null;
  /** When it finished (completed, failed or refused), monotonic ms; null for a lost order. */
  readonly finishedMs: number | null;
  /** Intended send time to the bench reading its Kafka record (completed orders). */
  readonly endToEndMs: number | null;
}

/** One second of the sale, counted from its first intended send. */
export interface SaleSecond {
  readonly second: number;
  /** Orders sent by the dispatcher. */
  readonly arrivals: number;
  /** Requests that reached Stripe (the emulator), refused ones included. */
  readonly stripe_requests: number;
  readonly stripe_accepted: number;
  readonly stripe_429: number;
  /** Orders whose record reached Kafka. */
  readonly completions: number;
  /** Orders that ended without a charge (refused or failed). */
  readonly failures: number;
  /** Orders sent and not finished (completed, failed or refused) at the end of this second. */
  readonly backlog: number;
}

export interface PathFigures {
  readonly path: SalePath;
  readonly route: string;
  readonly sent: number;
  /** POST answered 2xx. */
  readonly accepted: number;
  readonly completed: number;
  /** refused + ended on payments.failed. */
  readonly failed: number;
  /** POST answered other than 2xx, or not at all. */
  readonly refused: number;
  /** Accepted and neither completed nor failed when the drain ended. */
  readonly lost_accepted: number;
  /**
   * Orders that came to nothing and that nothing will bring back: lost_accepted + refused (this
   * bench's dispatcher does not retry, so a refused order is gone).
   */
  readonly lost: number;
  readonly failure_kinds: Record<string, number>;
  readonly stripe: {
    /** Every request that reached Stripe, 429s included. */
    readonly requests: number;
    readonly accepted: number;
    readonly rate_limited_429: number;
    /** 429s / requests. */
    readonly rate_limited_share: number;
    /** The most requests Stripe accepted in any 1 s window (the emulator never lets it pass the limit). */
    readonly max_accepted_in_any_1s: number;
    /** The most requests that reached Stripe in any 1 s window: what the service itself sent. */
    readonly max_arrivals_in_any_1s: number;
  };
  /** POST response time from the intended send time, over every answered POST. */
  readonly post_ms: LatencySummary;
  /** Intended send time to the Kafka record, completed orders. */
  readonly end_to_end_ms: LatencySummary;
  /** First to last intended send. */
  readonly arrivals_s: number;
  /** Last intended send to the last order finished; the drain limit when some were lost. */
  readonly time_to_drain_s: number;
  readonly drained: boolean;
  readonly per_second: readonly SaleSecond[];
  /** CPU seconds and peak RSS of every process during this path's sale. */
  readonly resources: PhaseUsage;
}

export function pathFigures(args: {
  path: SalePath;
  route: string;
  orders: readonly OrderRecord[];
  traffic: StripeTraffic;
  /** The sale's first intended send (its second 0). */
  startMs: number;
  drained: boolean;
  drainLimitS: number;
  resources: PhaseUsage;
}): PathFigures {
  const { orders, traffic, startMs } = args;
  const count = (status: OrderRecord['status']) => orders.filter((o) => o.status === status).length;
  const kinds: Record<string, number> = {};
  for (const o of orders) if (o.kind !== null) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  const post = new Samples();
  const e2e = new Samples();
  for (const o of orders) {
    if (o.postMs !== null) post.add(o.postMs);
    if (o.endToEndMs !== null) e2e.add(o.endToEndMs);
  }
  const refused = count('refused');
  const lostAccepted = count('lost');
  const requests = traffic.arrivals.length;
  const lastSend = maxOf(
    orders.map((o) => o.intendedMs),
    startMs,
  );
  const lastFinish = maxOf(
    orders.flatMap((o) => (o.finishedMs === null ? [] : [o.finishedMs])),
    lastSend,
  );
  return {
    path: args.path,
    route: args.route,
    sent: orders.length,
    accepted: orders.length - refused,
    completed: count('completed'),
    failed: refused + count('failed'),
    refused,
    lost_accepted: lostAccepted,
    lost: lostAccepted + refused,
    failure_kinds: kinds,
    stripe: {
      requests,
      accepted: traffic.accepted.length,
      rate_limited_429: traffic.refused.length,
      rate_limited_share: requests === 0 ? 0 : round(traffic.refused.length / requests, 4),
      max_accepted_in_any_1s: maxInWindow(traffic.accepted),
      max_arrivals_in_any_1s: maxInWindow(traffic.arrivals),
    },
    post_ms: post.summary(),
    end_to_end_ms: e2e.summary(),
    arrivals_s: round((lastSend - startMs) / 1000, 2),
    time_to_drain_s: args.drained ? round((lastFinish - lastSend) / 1000, 2) : args.drainLimitS,
    drained: args.drained,
    per_second: perSecond(orders, traffic, startMs),
    resources: args.resources,
  };
}

/** The sale second by second, from its first send until the last thing seen (send, finish, request). */
export function perSecond(
  orders: readonly OrderRecord[],
  traffic: StripeTraffic,
  startMs: number,
): SaleSecond[] {
  const secondOf = (t: number) => Math.max(0, Math.floor((t - startMs) / 1000));
  const times = [
    ...orders.map((o) => o.intendedMs),
    ...orders.flatMap((o) => (o.finishedMs === null ? [] : [o.finishedMs])),
    ...traffic.arrivals,
  ];
  const seconds = times.length === 0 ? 0 : secondOf(maxOf(times, startMs)) + 1;
  const bins = (values: readonly number[]) => {
    const counts = new Array<number>(seconds).fill(0);
    for (const t of values) {
      const s = secondOf(t);
      if (s < seconds) counts[s] = (counts[s] ?? 0) + 1;
    }
    return counts;
  };
  const arrivals = bins(orders.map((o) => o.intendedMs));
  const completions = bins(orders.flatMap((o) => (o.status === 'completed' ? [o.finishedMs ?? 0] : [])));
  const failures = bins(
    orders.flatMap((o) =>
      (o.status === 'refused' || o.status === 'failed') && o.finishedMs !== null ? [o.finishedMs] : [],
    ),
  );
  const requests = bins(traffic.arrivals);
  const accepted = bins(traffic.accepted);
  const refused = bins(traffic.refused);
  const out: SaleSecond[] = [];
  let backlog = 0;
  for (let s = 0; s < seconds; s++) {
    backlog += (arrivals[s] ?? 0) - (completions[s] ?? 0) - (failures[s] ?? 0);
    out.push({
      second: s,
      arrivals: arrivals[s] ?? 0,
      stripe_requests: requests[s] ?? 0,
      stripe_accepted: accepted[s] ?? 0,
      stripe_429: refused[s] ?? 0,
      completions: completions[s] ?? 0,
      failures: failures[s] ?? 0,
      backlog,
    });
  }
  return out;
}

/** The largest value, or `floor` when none is larger (no spread: a sale has thousands). */
function maxOf(values: readonly number[], floor: number): number {
  return values.reduce((a, b) => (b > a ? b : a), floor);
}

export interface SaleCheck {
  readonly check: string;
  readonly value: number | null;
  readonly target: string;
  readonly met: boolean;
}

/**
 * The bar for the durable path, read from the figures; with a storefront polling, also: the
 * gateway made no Stripe request, and every charge's poll ended (secret shown, or the charge moved on).
 */
export function durableChecks(
  durable: PathFigures,
  stripeLimitPerS: number,
  storefront: StorefrontFigures | null = null,
): SaleCheck[] {
  const s = durable.stripe;
  const p99 = durable.post_ms.p99;
  const storefrontChecks: SaleCheck[] =
    storefront === null
      ? []
      : [
          {
            check: 'Stripe requests made by the gateway (storefront polling)',
            value: storefront.gateway_stripe_requests,
            target: '= 0',
            met: storefront.gateway_stripe_requests === 0,
          },
          {
            check: 'storefront polls that never saw the client_secret or the charge end',
            value: storefront.gave_up,
            target: '= 0',
            met: storefront.gave_up === 0,
          },
        ];
  return [
    {
      check: 'accepted',
      value: durable.accepted,
      target: `= ${durable.sent}`,
      met: durable.accepted === durable.sent,
    },
    {
      check: 'completed',
      value: durable.completed,
      target: `= ${durable.sent}`,
      met: durable.completed === durable.sent,
    },
    { check: 'lost', value: durable.lost, target: '= 0', met: durable.lost === 0 },
    {
      check: '429s / Stripe requests (%)',
      value: round(s.rate_limited_share * 100, 2),
      target: '<= 1',
      met: s.rate_limited_share <= 0.01,
    },
    {
      check: 'Stripe requests accepted in any 1 s window (max)',
      value: s.max_accepted_in_any_1s,
      target: `<= ${stripeLimitPerS}`,
      met: s.max_accepted_in_any_1s <= stripeLimitPerS,
    },
    {
      check: 'POST /charge p99 (ms)',
      value: p99,
      target: '<= 100',
      met: p99 !== null && p99 <= 100,
    },
    ...storefrontChecks,
  ];
}
