/**
 * A worker's share of the fleet's Stripe rate: STRIPE_MAX_REQUESTS_PER_SECOND divided by the workers
 * polling the Stripe task queue now, so that the workers' pacers together stay at the rate in every
 * second, not only on average.
 *
 * Why: the queue's limit is the Temporal server's token bucket, which after an idle time hands out
 * about twice the rate at once. One worker's pacer (pacer.ts) holds that burst back; several workers
 * paced at the whole rate each would split it between them and send it to Stripe together (two
 * production replicas: up to 160 a second against a live account's 100).
 *
 * The workers are counted from Temporal's list of the queue's pollers (DescribeTaskQueue), refreshed
 * every REFRESH_INTERVAL_MS. A read that fails keeps the last share. A worker that stopped leaves the
 * list once its last poll is older than POLLER_FRESH_MS: until then the others run a little slower,
 * never faster, than their share.
 */
import { throttledReport } from '../observability/throttled-report';
import type { AdjustablePacer } from './pacer';

/** A poller Temporal lists for the Stripe queue: one per worker process (its identity). */
export interface StripeQueuePoller {
  readonly identity: string;
  /** When it last polled (ms since the epoch), if Temporal says. */
  readonly lastAccessMs: number | undefined;
}

export const REFRESH_INTERVAL_MS = 10_000;
/** A long poll waits up to a minute on an idle queue before the worker polls again. */
export const POLLER_FRESH_MS = 90_000;
/** A read failing every refresh (Temporal down, no permission) is reported once a minute. */
const ERROR_REPORT_INTERVAL_MS = 60_000;

/** The workers polling the queue lately, this one included even before Temporal lists it. */
export function livePollers(pollers: readonly StripeQueuePoller[], now: number): number {
  const live = new Set(
    pollers
      .filter((p) => p.lastAccessMs !== undefined && now - p.lastAccessMs <= POLLER_FRESH_MS)
      .map((p) => p.identity),
  );
  return Math.max(1, live.size);
}

export interface FleetPace {
  /** One read of the pollers and, when it succeeds, the pacer set to this worker's share. */
  refresh(): Promise<void>;
  stop(): void;
}

/** Keeps `pacer` at `ratePerSecond` / the live workers, refreshed every REFRESH_INTERVAL_MS. */
export function watchFleetPace(deps: {
  readonly ratePerSecond: number;
  readonly pacer: AdjustablePacer;
  readonly describePollers: () => Promise<readonly StripeQueuePoller[]>;
  readonly onShare: (share: { readonly workers: number; readonly perSecond: number }) => void;
  readonly onError: (err: unknown) => void;
  readonly now?: () => number;
  /** Off in tests that call refresh() themselves. */
  readonly schedule?: boolean;
}): FleetPace {
  const now = deps.now ?? Date.now;
  const reportError = throttledReport(deps.onError, ERROR_REPORT_INTERVAL_MS, now);
  let workers = 0;
  const refresh = async (): Promise<void> => {
    try {
      const counted = livePollers(await deps.describePollers(), now());
      if (counted === workers) return;
      workers = counted;
      const perSecond = deps.ratePerSecond / counted;
      deps.pacer.setRate(perSecond);
      deps.onShare({ workers: counted, perSecond });
    } catch (err) {
      reportError(err);
    }
  };
  // refresh() never rejects (its failures go to onError): the timer's promises need no one to await them.
  const timer = deps.schedule === false ? undefined : setInterval(() => void refresh(), REFRESH_INTERVAL_MS);
  if (deps.schedule !== false) void refresh();
  return {
    refresh,
    stop: () => clearInterval(timer),
  };
}
