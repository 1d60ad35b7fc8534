/**
 * The cancel activity's idempotency key is one per charge and cancellation reason. Stripe answers a
 * key reused with other parameters with the first request's answer, so a second cancel of a charge
 * with another `cancellation_reason` (the customer's cancel after an abandoned one was refused, say)
 * must not share the first one's key; a retry of the same cancel must. Against stripe-mock, through
 * the recording proxy that sees the Idempotency-Key header.
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
import { stack } from '../support/stack';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';

describe('the cancel idempotency key', () => {
  let proxy: StripeRecordingProxy;
  let provider: PaymentProviderActivities;
  before(async () => {
    proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
    const config = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_cancelkeys',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
      STRIPE_API_BASE: proxy.url,
    });
    provider = createStripeActivities({ stripe: createStripeClient(config), metrics: undefined });
  });
  after(() => proxy?.close());

  it('is one per (charge, reason): distinct across reasons and charges, the same on every attempt', () => {
    const keys = CANCELLATION_REASONS.map((reason) => cancelIdempotencyKey('evt-1', reason));
    assert.equal(new Set(keys).size, CANCELLATION_REASONS.length);
    assert.equal(cancelIdempotencyKey('evt-1', 'abandoned'), cancelIdempotencyKey('evt-1', 'abandoned'));
    assert.notEqual(cancelIdempotencyKey('evt-1', 'abandoned'), cancelIdempotencyKey('evt-2', 'abandoned'));
  });

  it('sends a different key to Stripe for a second cancel of the same charge with another reason', async () => {
    const ref = { event_id: `evt-cancel-${randomUUID()}`, order_id: 'order-cancel' };
    const payment_intent_id = `pi_${randomUUID().replace(/-/g, '')}`;
    await provider.cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'abandoned' });
    await provider.cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'abandoned' });
    await provider.cancelPaymentIntent({ ...ref, payment_intent_id, reason: 'requested_by_customer' });
    const sent = proxy.requests
      .filter((r) => r.path === `/v1/payment_intents/${payment_intent_id}/cancel`)
      .map((r) => r.idempotencyKey);
    assert.deepEqual(sent, [
      cancelIdempotencyKey(ref.event_id, 'abandoned'),
      cancelIdempotencyKey(ref.event_id, 'abandoned'),
      cancelIdempotencyKey(ref.event_id, 'requested_by_customer'),
    ]);
    assert.notEqual(sent[0], sent[2]);
  });
});
