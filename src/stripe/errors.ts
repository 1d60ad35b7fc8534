import { ApplicationFailure } from '@temporalio/common';
import Stripe from 'stripe';
import {
  PROVIDER_DECLINED,
  PROVIDER_INVALID_REQUEST,
  PROVIDER_TRANSIENT,
  type ProviderFailureDetails,
} from '../contracts/payment-provider';
import { chargeFailureOf } from './translate';

export type StripeErrorVerdict =
  | { readonly retryable: true; readonly reason: string; readonly retryAfterMs: number | undefined }
  | { readonly retryable: false; readonly type: string; readonly details: ProviderFailureDetails };

function header(err: Stripe.errors.StripeError, name: string): string | undefined {
  const value = err.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

function retryAfterMs(err: Stripe.errors.StripeError): number | undefined {
  const seconds = Number(header(err, 'retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) * 1000 : undefined;
}

/**
 * Decides whether a Stripe error may succeed on a later attempt with the same idempotency key.
 * Order matters: a decline is final whatever the headers say; a bad key is an operator's to fix,
 * so the charge waits (retrying) rather than failing a customer for our mistake.
 */
export function classifyStripeError(err: unknown): StripeErrorVerdict {
  if (!(err instanceof Stripe.errors.StripeError)) {
    return { retryable: true, reason: 'unexpected_error', retryAfterMs: undefined };
  }
  const status = err.statusCode;
  if (err instanceof Stripe.errors.StripeCardError) {
    return {
      retryable: false,
      type: PROVIDER_DECLINED,
      details: { failure: chargeFailureOf(err), payment_intent_id: err.payment_intent?.id ?? null },
    };
  }
  if (status === 401 || status === 403)
    return { retryable: true, reason: 'authentication', retryAfterMs: undefined };
  const shouldRetry = header(err, 'stripe-should-retry');
  if (shouldRetry === 'true')
    return { retryable: true, reason: 'stripe_should_retry', retryAfterMs: retryAfterMs(err) };
  const transient =
    shouldRetry !== 'false' &&
    (err instanceof Stripe.errors.StripeConnectionError ||
      status === undefined ||
      status === 409 || // idempotent request still in progress, or a lock timeout
      status === 429 ||
      status >= 500);
  if (transient)
    return { retryable: true, reason: `http_${status ?? 'network'}`, retryAfterMs: retryAfterMs(err) };
  return {
    retryable: false,
    type: PROVIDER_INVALID_REQUEST,
    details: { failure: chargeFailureOf(err), payment_intent_id: null },
  };
}

/** What went wrong with a Stripe call, in the words the alert rules use (the error label of payments_stripe_requests_total). */
export type StripeErrorKind =
  | 'authentication'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'conflict'
  | 'declined'
  | 'invalid_request'
  | 'unexpected';

export function stripeErrorKind(err: unknown): StripeErrorKind {
  if (!(err instanceof Stripe.errors.StripeError)) return 'unexpected';
  if (err instanceof Stripe.errors.StripeCardError) return 'declined';
  const status = err.statusCode;
  if (err instanceof Stripe.errors.StripeConnectionError || status === undefined) return 'network';
  if (status === 401 || status === 403) return 'authentication';
  if (status === 429) return 'rate_limited';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

/**
 * The pause before retrying a call Stripe rate-limited (429) without saying how long: doubling from
 * 1 s per attempt up to 30 s, with ±50 % jitter so that many charges refused in the same second do
 * not all come back in the same second (Temporal's own backoff has no jitter).
 */
export function rateLimitedRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random()));
}

/** Turns a verdict into what the activity throws; Temporal's retry policy does the rest. */
export function toActivityFailure(
  err: unknown,
  verdict: StripeErrorVerdict,
  attempt = 1,
): ApplicationFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (!verdict.retryable) {
    return ApplicationFailure.create({
      type: verdict.type,
      message,
      nonRetryable: true,
      details: [verdict.details],
    });
  }
  return ApplicationFailure.create({
    type: PROVIDER_TRANSIENT,
    message: `${verdict.reason}: ${message}`,
    ...(verdict.retryAfterMs !== undefined
      ? { nextRetryDelay: verdict.retryAfterMs }
      : verdict.reason === 'http_429'
        ? { nextRetryDelay: rateLimitedRetryDelayMs(attempt) }
        : {}),
  });
}
