/**
 * The cancel activity's idempotency key is one per charge and cancellation reason. Stripe answers a
 * key reused with the same parameters with the first request's answer, and refuses it with other
 * parameters (`idempotency_error`), so a second cancel of a charge with another
 * `cancellation_reason` (the customer's cancel after an abandoned one, say) must not share the first
 * one's key; a retry of the same cancel must. Against the Stripe test-mode stand-in, which keeps
 * keys as Stripe does and records each request's key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CANCELLATION_REASONS, cancelIdempotencyKey } from '../../src/contracts/charge';
import type { PaymentProviderActivities } from '../../src/contracts/payment-provider';
import { loadConfig } from '../../src/config';
import { createStripeActivities } from '../../src/stripe/activities';
import { createStripeClient } from '../../src/stripe/client';
import { LOCAL_CODEC_KEYS } from '../support/codec';
import { startTestStandin, type TestStandin } from '../support/stripe-standin';

describe('the cancel idempotency key', () => {
  let standin: TestStandin;
  let provider: PaymentProviderActivities;
  before(async () => {
    standin = await startTestStandin({}, { stripeMock: true });
    const config = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_cancelkeys',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
      STRIPE_API_BASE: standin.url,
    });
    provider = createStripeActivities({ stripe: createStripeClient(config), metrics: undefined });
  });
  after(() => standin?.close());

  it('is one per (charge, reason): distinct across reasons and charges, the same on every attempt', () => {
    const keys = CANCELLATION_REASONS.map((reason) => cancelIdempotencyKey('evt-1', reason));
    assert.equal(new Set(keys).size, CANCELLATION_REASONS.length);
    assert.equal(cancelIdempotencyKey('evt-1', 'abandoned'), cancelIdempotencyKey('evt-1', 'abandoned'));
    assert.notEqual(cancelIdempotencyKey('evt-1', 'abandoned'), cancelIdempotencyKey('evt-2', 'abandoned'));
  });

  it("a retried cancel is Stripe's replay; a cancel with another reason reaches Stripe under its own key", async () => {
    const ref = { event_id: `evt-cancel-${randomUUID()}`, order_id: 'order-cancel' };
    const created = await standin.stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      metadata: ref,
    });
    const payment_intent_id = created.id;
    const first = await provider.cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'abandoned' });
    const retried = await provider.cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'abandoned' });
    assert.deepEqual([first.status, retried.status], ['canceled', 'canceled']);
    // Stripe refuses to cancel a canceled PaymentIntent; under the first key it would instead refuse
    // the key itself (other parameters), never looking at the PaymentIntent.
    const refused = await provider
      .cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'requested_by_customer' })
      .then(
        () => 'answered',
        (err: unknown) => String(err instanceof Error ? err.message : err),
      );
    assert.doesNotMatch(refused, /idempotenc/i);
    const sent = (
      await standin.control.requests({
        method: 'POST',
        path: `/v1/payment_intents/${payment_intent_id}/cancel`,
      })
    ).data;
    assert.deepEqual(
      sent.map((r) => [r.idempotency_key, r.params['cancellation_reason'], r.replayed]),
      [
        [cancelIdempotencyKey(ref.event_id, 'abandoned'), 'abandoned', false],
        [cancelIdempotencyKey(ref.event_id, 'abandoned'), 'abandoned', true],
        [cancelIdempotencyKey(ref.event_id, 'requested_by_customer'), 'requested_by_customer', false],
      ],
    );
    assert.equal(sent[2]?.status, 400, `Stripe's own refusal: ${refused}`);
  });
});
