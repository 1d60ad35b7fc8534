/**
 * src/stripe/client.ts against the Stripe test-mode stand-in (in front of the local stack's
 * stripe-mock; hence here, with the stack's tests): the base URL from config, the pinned version, and
 * no retries of its own. The stand-in's recorder shows what reached "Stripe".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { createStripeClient, STRIPE_API_VERSION } from '../../src/stripe/client';
import { loadConfig } from '../../src/config';
import { startTestStandin, type TestStandin } from '../support/stripe-standin';
import { LOCAL_CODEC_KEYS } from '../support/codec';

describe('the Stripe client', () => {
  let standin: TestStandin;
  let stripe: Stripe;
  before(async () => {
    standin = await startTestStandin({}, { stripeMock: true });
    // Through the config module, so STRIPE_API_BASE's scheme, host and port are what is tested.
    const config = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_client',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
      STRIPE_API_BASE: standin.url,
    });
    stripe = createStripeClient(config);
  });
  after(() => standin?.close());

  it('creates a PaymentIntent through STRIPE_API_BASE, under the idempotency key it is given', async () => {
    const pi = await stripe.paymentIntents.create(
      { amount: 1234, currency: 'usd', metadata: { event_id: 'evt-client-test' } },
      { idempotencyKey: 'client-test-key' },
    );
    assert.match(pi.id, /^pi_/);
    assert.equal(pi.amount, 1234);
    const seen = (await standin.control.requests({ idempotency_key: 'client-test-key' })).data;
    assert.deepEqual(
      seen.map((r) => [r.method, r.path, r.status]),
      [['POST', '/v1/payment_intents', 200]],
    );
  });

  it('pins the API version', () => {
    assert.equal(STRIPE_API_VERSION, Stripe.API_VERSION);
  });

  it('does not retry on its own: Temporal owns retries', async () => {
    const { last_seq: before } = await standin.control.requests({ after: Number.MAX_SAFE_INTEGER });
    await standin.control.injectFault({ path: '/v1/payment_intents', method: 'POST', count: 1, status: 500 });
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 100, currency: 'usd' }),
      Stripe.errors.StripeAPIError,
    );
    const seen = (await standin.control.requests({ after: before, path: '/v1/payment_intents' })).data;
    assert.deepEqual(
      seen.map((r) => [r.status, r.refused_by]),
      [[500, 'fault']],
    );
  });
});
