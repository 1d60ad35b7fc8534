/**
 * The flash sale's view of Stripe's rate limit: what the bench's stand-in (stripe-standin.ts, whose
 * limiter is tools/stripe-standin's, tested there) saw during a sale, as timestamps, and the most
 * of them in any window, from which the sale's per-second figures are drawn.
 */

/** The requests the stand-in saw during a sale, as monotonic timestamps (ms), in arrival order. */
export interface StripeTraffic {
  /** Null: every request forwarded (no limit emulated). */
  readonly limitPerSecond: number | null;
  /** Every request that reached the stand-in. */
  readonly arrivals: number[];
  /** Forwarded to stripe-mock (within the limit). */
  readonly accepted: number[];
  /** Answered 429. */
  readonly refused: number[];
}

/** The most timestamps in any window [t, t + windowMs); `times` ascending. */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    const t = times[end] ?? 0;
    while ((times[start] ?? t) <= t - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
