import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  classifyStripeError,
  rateLimitedRetryDelayMs,
  stripeErrorKind,
  toActivityFailure,
} from '../../src/stripe/errors';

type Raw = ConstructorParameters<typeof Stripe.errors.StripeError>[0];

function apiError(statusCode: number, extra: Partial<Raw> = {}): Stripe.errors.StripeError {
  return new Stripe.errors.StripeAPIError({ message: 'boom', type: 'api_error', statusCode, ...extra });
}

describe('Stripe error classification', () => {
  it('ends the charge on a card decline, keeping code, decline code and PaymentIntent', () => {
    const err = new Stripe.errors.StripeCardError({
      message: 'Your card was declined.',
      type: 'card_error',
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      payment_intent: { id: 'pi_declined' } as Stripe.PaymentIntent,
    });
    assert.deepEqual(classifyStripeError(err), {
      retryable: false,
      type: 'StripeCardError',
      details: {
        failure: {
          code: 'card_declined',
          message: 'Your card was declined.',
          decline_code: 'insufficient_funds',
        },
        payment_intent_id: 'pi_declined',
      },
    });
  });

  it('ends the charge on an invalid request', () => {
    const err = new Stripe.errors.StripeInvalidRequestError({
      message: 'No such customer',
      type: 'invalid_request_error',
      statusCode: 400,
      code: 'resource_missing',
    });
    const verdict = classifyStripeError(err);
    assert.equal(verdict.retryable, false);
    assert.equal(!verdict.retryable && verdict.type, 'StripeInvalidRequestError');
  });

  for (const status of [409, 429, 500, 502, 503]) {
    it(`retries HTTP ${status}`, () => {
      assert.equal(classifyStripeError(apiError(status)).retryable, true);
    });
  }

  it('retries network failures and unknown errors', () => {
    const err = new Stripe.errors.StripeConnectionError({ message: 'ECONNRESET', type: 'api_error' });
    assert.equal(classifyStripeError(err).retryable, true);
    assert.equal(classifyStripeError(new Error('socket hang up')).retryable, true);
  });

  it('honours Stripe-Should-Retry in both directions', () => {
    assert.equal(
      classifyStripeError(apiError(500, { headers: { 'stripe-should-retry': 'false' } })).retryable,
      false,
    );
    const forced = new Stripe.errors.StripeInvalidRequestError({
      message: 'lock',
      type: 'invalid_request_error',
      statusCode: 400,
      headers: { 'stripe-should-retry': 'true' },
    });
    assert.equal(classifyStripeError(forced).retryable, true);
  });

  it('passes Retry-After on as the next retry delay', () => {
    const verdict = classifyStripeError(apiError(429, { headers: { 'retry-after': '7' } }));
    assert.deepEqual(verdict, { retryable: true, reason: 'http_429', retryAfterMs: 7000 });
  });

  it('retries a 429 without Retry-After after a doubling, jittered pause, never ending the charge', () => {
    const err = apiError(429);
    const verdict = classifyStripeError(err);
    assert.equal(verdict.retryable, true);
    const failure = toActivityFailure(err, verdict, 3);
    assert.equal(failure.nonRetryable, false);
    const delay = Number(failure.nextRetryDelay);
    assert.ok(delay >= 2000 && delay <= 6000, `attempt 3: 4 s ± 50 %, got ${delay} ms`);
    assert.equal(
      rateLimitedRetryDelayMs(1, () => 0),
      500,
    );
    assert.equal(
      rateLimitedRetryDelayMs(2, () => 0.999),
      2998,
    );
    assert.equal(
      rateLimitedRetryDelayMs(20, () => 0.5),
      30_000,
      'capped at 30 s',
    );
  });

  it('does not retry a 429 that Stripe marks Stripe-Should-Retry: false', () => {
    assert.equal(
      classifyStripeError(apiError(429, { headers: { 'stripe-should-retry': 'false' } })).retryable,
      false,
    );
  });

  it('keeps a charge waiting (retrying) when our own key is rejected', () => {
    const err = new Stripe.errors.StripeAuthenticationError({
      message: 'bad key',
      type: 'invalid_request_error',
      statusCode: 401,
    });
    assert.equal(classifyStripeError(err).retryable, true);
  });
});

describe('the error label of payments_stripe_requests_total (what the alert rules tell apart)', () => {
  const cases: Array<[string, unknown, ReturnType<typeof stripeErrorKind>]> = [
    [
      '401 (a revoked or wrong key)',
      new Stripe.errors.StripeAuthenticationError({
        message: 'bad key',
        type: 'invalid_request_error',
        statusCode: 401,
      }),
      'authentication',
    ],
    [
      '403 (a restricted key without the permission)',
      new Stripe.errors.StripePermissionError({
        message: 'no',
        type: 'invalid_request_error',
        statusCode: 403,
      }),
      'authentication',
    ],
    ['429', apiError(429), 'rate_limited'],
    [
      '429 marked Stripe-Should-Retry: false',
      apiError(429, { headers: { 'stripe-should-retry': 'false' } }),
      'rate_limited',
    ],
    ['500', apiError(500), 'server_error'],
    ['503', apiError(503), 'server_error'],
    ['409', apiError(409), 'conflict'],
    [
      'a connection failure',
      new Stripe.errors.StripeConnectionError({ message: 'ECONNRESET', type: 'api_error' }),
      'network',
    ],
    [
      'a card decline',
      new Stripe.errors.StripeCardError({ message: 'declined', type: 'card_error', statusCode: 402 }),
      'declined',
    ],
    [
      'a 400',
      new Stripe.errors.StripeInvalidRequestError({
        message: 'No such customer',
        type: 'invalid_request_error',
        statusCode: 400,
      }),
      'invalid_request',
    ],
    ['an error that is not from Stripe', new Error('socket hang up'), 'unexpected'],
  ];
  for (const [what, err, kind] of cases) {
    it(`${what} → ${kind}`, () => {
      assert.equal(stripeErrorKind(err), kind);
    });
  }
});
