/**
 * Stripe's rate limit, played by the bench: stripe-mock has none, so the bench's Stripe stand-in in
 * front of it (stripe-standin.ts) refuses what Stripe would refuse during a flash sale. Above the
 * limit it answers 429 with Stripe's error body and no Retry-After, as Stripe does. What it saw is
 * read from its recorder as timestamps, from which the sale's per-second figures are drawn.
 */

/**
 * At most `perSecond` accepted requests in any 1 s window (refused ones do not count): the Stripe
 * stand-in's limiter (tools/stripe-standin, a test tool), so the bench, the stand-in and its tests
 * share one implementation of Stripe's limit.
 */
export { SlidingWindowLimit } from '../tools/stripe-standin/http/rate-limit';

/** What Stripe answers above its rate limit: HTTP 429, this body, no Retry-After header. */
export function rateLimitErrorBody(perSecond: number): string {
  return JSON.stringify({
    error: {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: `Too many requests hit the API too quickly (the bench emulates Stripe's limit of ${perSecond} requests per second).`,
    },
  });
}

/** The requests the emulator saw during a sale, as monotonic timestamps (ms), in arrival order. */
export interface StripeTraffic {
  /** Null: every request forwarded (no limit emulated). */
  readonly limitPerSecond: number | null;
  /** Every request that reached the emulator. */
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
