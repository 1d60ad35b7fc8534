/**
 * The gateway's reads of a PaymentIntent for the customer (client_secret, next_action) go easy on
 * Stripe's rate limit: one read per PaymentIntent and charge status per TTL, shared by concurrent
 * callers; a status change reads afresh; failures are not kept and become "provider unavailable".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { ProviderUnavailableError } from '../../src/contracts/payment-provider';
import { createMetrics } from '../../src/observability/metrics';
import { STRIPE_GATEWAY_TIMEOUT_MS, STRIPE_TIMEOUT_MS } from '../../src/stripe/client';
import {
  CUSTOMER_VIEW_TTL_MS,
  createStripeCustomerViews,
  type PaymentIntentReader,
} from '../../src/stripe/customer-views';

type Answer = Awaited<ReturnType<PaymentIntentReader['paymentIntents']['retrieve']>>;

/** A stand-in for the Stripe client: counts retrieves, answers as told (or after a gate opens). */
function fakeStripe(answer: (id: string) => Promise<Answer> | Answer) {
  const retrieves: string[] = [];
  const timeouts: number[] = [];
  const stripe: PaymentIntentReader = {
    paymentIntents: {
      retrieve: async (id, _params, options) => {
        retrieves.push(id);
        timeouts.push(options.timeout);
        return answer(id);
      },
    },
  };
  return { stripe, retrieves, timeouts };
}

const waiting = (id: string): Answer => ({ id, client_secret: `${id}_secret_abc`, next_action: null });

describe('the customer view of a PaymentIntent (Stripe reads)', () => {
  it('returns the client_secret and next_action as Stripe has them', async () => {
    const nextAction = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
    const { stripe } = fakeStripe((id) => ({ id, client_secret: `${id}_secret_x`, next_action: nextAction }));
    const views = createStripeCustomerViews({ stripe });
    assert.deepEqual(await views.customerView('pi_1', 'requires_action'), {
      client_secret: 'pi_1_secret_x',
      next_action: nextAction,
    });
  });

  it("gives up sooner than an activity's call: every read carries the gateway's own timeout", async () => {
    const { stripe, timeouts } = fakeStripe(waiting);
    await createStripeCustomerViews({ stripe }).customerView('pi_t', 'pending');
    await createStripeCustomerViews({ stripe, timeoutMs: 1234 }).customerView('pi_t', 'pending');
    assert.deepEqual(timeouts, [STRIPE_GATEWAY_TIMEOUT_MS, 1234]);
    assert.ok(STRIPE_GATEWAY_TIMEOUT_MS < STRIPE_TIMEOUT_MS);
  });

  it('reads once per PaymentIntent and status within the TTL, and again after it', async () => {
    let now = 1_000_000;
    const { stripe, retrieves } = fakeStripe(waiting);
    const metrics = createMetrics();
    const views = createStripeCustomerViews({ stripe, metrics, now: () => now });
    await views.customerView('pi_a', 'pending');
    now += CUSTOMER_VIEW_TTL_MS - 1;
    await views.customerView('pi_a', 'pending');
    assert.deepEqual(retrieves, ['pi_a']);
    now += 2;
    await views.customerView('pi_a', 'pending');
    assert.deepEqual(retrieves, ['pi_a', 'pi_a']);
    const text = await metrics.registry.metrics();
    assert.match(text, /payments_customer_view_reads_total\{source="cache",service="payments"\} 1/);
    assert.match(text, /payments_customer_view_reads_total\{source="stripe",service="payments"\} 2/);
  });

  it('reads afresh when the charge status changed (a webhook may have brought a next_action)', async () => {
    const { stripe, retrieves } = fakeStripe(waiting);
    const views = createStripeCustomerViews({ stripe });
    await views.customerView('pi_b', 'pending');
    await views.customerView('pi_b', 'requires_action');
    await views.customerView('pi_b', 'requires_action');
    assert.deepEqual(retrieves, ['pi_b', 'pi_b']);
  });

  it('shares one read among concurrent callers', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { stripe, retrieves } = fakeStripe(async (id) => {
      await gate;
      return waiting(id);
    });
    const views = createStripeCustomerViews({ stripe });
    const answers = Promise.all(Array.from({ length: 20 }, () => views.customerView('pi_c', 'pending')));
    open();
    assert.equal((await answers).length, 20);
    assert.deepEqual(retrieves, ['pi_c']);
  });

  it("keeps no failure: a 429 is 'provider unavailable' with Stripe's Retry-After, and the next call asks again", async () => {
    let fail = true;
    const { stripe, retrieves } = fakeStripe((id) => {
      if (fail) {
        throw new Stripe.errors.StripeRateLimitError({
          message: 'Too many requests',
          type: 'rate_limit_error',
          statusCode: 429,
          headers: { 'retry-after': '3' },
        });
      }
      return waiting(id);
    });
    const views = createStripeCustomerViews({ stripe });
    await assert.rejects(views.customerView('pi_d', 'pending'), (err: unknown) => {
      assert.ok(err instanceof ProviderUnavailableError);
      assert.equal(err.retryAfterSeconds, 3);
      assert.doesNotMatch(err.message, /_secret_/);
      return true;
    });
    fail = false;
    assert.equal((await views.customerView('pi_d', 'pending')).client_secret, 'pi_d_secret_abc');
    assert.deepEqual(retrieves, ['pi_d', 'pi_d']);
  });

  it('refuses a PaymentIntent without a client_secret (a key that may not read it) as unavailable', async () => {
    const { stripe } = fakeStripe((id) => ({ id, client_secret: null, next_action: null }));
    await assert.rejects(
      createStripeCustomerViews({ stripe }).customerView('pi_e', 'pending'),
      ProviderUnavailableError,
    );
  });

  it('keeps at most maxEntries views, dropping the oldest, and drops expired ones', async () => {
    let now = 0;
    const { stripe, retrieves } = fakeStripe(waiting);
    const views = createStripeCustomerViews({ stripe, maxEntries: 2, now: () => now });
    for (const id of ['pi_1', 'pi_2', 'pi_3']) await views.customerView(id, 'pending');
    await views.customerView('pi_3', 'pending');
    await views.customerView('pi_1', 'pending');
    assert.deepEqual(retrieves, ['pi_1', 'pi_2', 'pi_3', 'pi_1'], 'pi_1 was dropped for pi_3');
    now += CUSTOMER_VIEW_TTL_MS + 1;
    await views.customerView('pi_3', 'pending');
    assert.equal(retrieves.at(-1), 'pi_3', 'expired views are read again');
  });
});
