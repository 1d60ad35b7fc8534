/** src/stripe/client.ts against stripe-mock of the local stack (hence here, with the stack's tests). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeClient, STRIPE_API_VERSION } from '../../src/stripe/client';
import { loadConfig } from '../../src/config';
import { stack } from '../support/stack';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';
import { LOCAL_CODEC_KEYS } from '../support/codec';

describe('the Stripe client', () => {
  let proxy: StripeRecordingProxy;
  let stripe: Stripe;
  before(async () => {
    proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
    // Through the config module, so STRIPE_API_BASE's scheme, host and port are what is tested.
    const config = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_client',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
      STRIPE_API_BASE: proxy.url,
    });
    stripe = createStripeClient(config);
  });
  after(() => proxy?.close());

  it('creates a PaymentIntent on stripe-mock through STRIPE_API_BASE', async () => {
    const pi = await stripe.paymentIntents.create(
      { amount: 1234, currency: 'usd', metadata: { event_id: 'evt-client-test' } },
      { idempotencyKey: 'client-test-key' },
    );
    assert.match(pi.id, /^pi_/);
    assert.equal(pi.amount, 1234);
    const seen = proxy.requests.at(-1);
    assert.equal(seen?.path, '/v1/payment_intents');
    assert.equal(seen?.idempotencyKey, 'client-test-key');
  });

  it('pins the API version', () => {
    assert.equal(STRIPE_API_VERSION, Stripe.API_VERSION);
  });

  it('does not retry on its own: Temporal owns retries', async () => {
    proxy.failNext('/v1/payment_intents', 1, 500);
    const before = proxy.requests.length;
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 1, currency: 'usd' }),
      Stripe.errors.StripeAPIError,
    );
    assert.equal(proxy.requests.length - before, 1);
  });
});
