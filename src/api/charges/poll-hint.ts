/**
 * When a storefront should ask again about a charge still waiting for its PaymentIntent: the
 * `Retry-After` of POST /charge's 202 and of GET /charges/:event_id while there is no PaymentIntent.
 *
 * The charge waits its turn behind the Stripe calls queued before it; the back of that queue is
 * reached in about `waiting / rate` seconds. The hint is half of that: a charge near the front is not
 * kept waiting long, and a storefront that follows the hints reaches the end of any queue in a few
 * reads (each halves what is left) instead of one read a second. Pure.
 */
import type { QueueBacklog } from '../temporal/stripe-queue-backlog';

/** The longest hint: a storefront's customer is never told to wait longer before the next look. */
export const MAX_POLL_AFTER_SECONDS = 30;
/** The shortest hint, and the one given when the backlog is unknown. */
export const MIN_POLL_AFTER_SECONDS = 1;

/**
 * Seconds until the next look, in MIN…MAX_POLL_AFTER_SECONDS. `configuredRate` is the fleet's Stripe
 * budget (STRIPE_MAX_REQUESTS_PER_SECOND); Temporal's observed dispatch rate is used when it is
 * higher (a live key's fleet drains faster than the test-mode default this role may assume).
 */
export function pollAfterSeconds(backlog: QueueBacklog | undefined, configuredRate: number): number {
  if (backlog === undefined || backlog.waiting <= 0) return MIN_POLL_AFTER_SECONDS;
  const rate = Math.max(configuredRate, backlog.dispatchedPerSecond, 1);
  const half = Math.ceil(backlog.waiting / rate / 2);
  return Math.min(MAX_POLL_AFTER_SECONDS, Math.max(MIN_POLL_AFTER_SECONDS, half));
}
