/**
 * PaymentIntents through the stand-in's API, driven with the service's own Stripe client: each of
 * Stripe's test payment methods moves the PaymentIntent as Stripe's test mode does, and a later
 * retrieve reads that state back (stripe-mock would answer its one fixture every time).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';
import { waitUntil } from '../../../support/wait';

describe('stripe-standin: PaymentIntents', { timeout: 60_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null, processing_ms: 100, search_lag_ms: 0 });
  });
  after(() => standin.close());

  const create = (params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    standin.stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      metadata: { event_id: `evt-pi-${randomUUID()}` },
      ...params,
    });
  const offSession = (paymentMethod: string, params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    create({ payment_method: paymentMethod, confirm: true, off_session: true, ...params });
  const rejection = async (promise: Promise<unknown>): Promise<Stripe.errors.StripeError> => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) return err;
      throw err;
    }
    assert.fail('expected Stripe to refuse the request');
  };

  it('creates a PaymentIntent that waits for the customer, with a client_secret of its own', async () => {
    const first = await create({ description: 'a book' });
    const second = await create();
    assert.equal(first.status, 'requires_payment_method');
    assert.match(first.client_secret ?? '', new RegExp(`^${first.id}_secret_[A-Za-z0-9]+$`));
    assert.notEqual(first.client_secret, second.client_secret);
    const read = await standin.stripe.paymentIntents.retrieve(first.id);
    assert.deepEqual(
      { status: read.status, amount: read.amount, metadata: read.metadata, description: read.description },
      { status: 'requires_payment_method', amount: 2000, metadata: first.metadata, description: 'a book' },
    );
    assert.equal(read.last_payment_error, null);
  });

  it('succeeds with pm_card_visa, and a later retrieve still says succeeded', async () => {
    const pi = await offSession('pm_card_visa');
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 2000);
    assert.match(typeof pi.latest_charge === 'string' ? pi.latest_charge : '', /^ch_/);
    const read = await standin.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(read.status, 'succeeded');
    const charge = read.latest_charge as Stripe.Charge;
    assert.deepEqual([charge.status, charge.captured, charge.amount_captured], ['succeeded', true, 2000]);
  });

  it('declines pm_card_chargeDeclined with a 402 card_error and leaves requires_payment_method', async () => {
    const err = await rejection(offSession('pm_card_chargeDeclined'));
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.deepEqual([err.statusCode, err.code, err.decline_code], [402, 'card_declined', 'generic_decline']);
    const id = err.payment_intent?.id ?? '';
    const read = await standin.stripe.paymentIntents.retrieve(id);
    assert.equal(read.status, 'requires_payment_method');
    assert.deepEqual(
      [read.last_payment_error?.code, read.last_payment_error?.decline_code],
      ['card_declined', 'generic_decline'],
    );
  });

  it('declines a card that needs 3-D Secure when the customer is not there (off-session), as Stripe does', async () => {
    const err = await rejection(offSession('pm_card_authenticationRequired'));
    assert.ok(err instanceof Stripe.errors.StripeCardError);
    assert.equal(err.code, 'authentication_required');
  });

  it('asks for 3-D Secure on-session; completing it succeeds, failing it declines, walking away changes nothing', async () => {
    const outcomes: Record<string, string> = {};
    for (const result of ['complete', 'fail', 'abandon'] as const) {
      const pi = await create();
      const confirmed = await standin.control.confirm(pi.id, 'pm_card_authenticationRequired');
      assert.equal(confirmed.payment_intent.status, 'requires_action');
      const next = confirmed.payment_intent['next_action'] as { type: string };
      assert.equal(next.type, 'use_stripe_sdk');
      await standin.control.authenticate(pi.id, result);
      const read = await standin.stripe.paymentIntents.retrieve(pi.id);
      outcomes[result] = `${read.status}${read.last_payment_error ? `/${read.last_payment_error.code}` : ''}`;
    }
    assert.deepEqual(outcomes, {
      complete: 'succeeded',
      fail: 'requires_payment_method/payment_intent_authentication_failure',
      abandon: 'requires_action',
    });
  });

  it('redirects to the return_url for 3-D Secure when the confirmation names one', async () => {
    const pi = await create();
    const confirmed = await standin.stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_threeDSecure2Required',
      return_url: 'https://shop.example/back',
    });
    assert.equal(confirmed.status, 'requires_action');
    assert.equal(confirmed.next_action?.type, 'redirect_to_url');
    assert.equal(confirmed.next_action?.redirect_to_url?.return_url, 'https://shop.example/back');
    assert.match(confirmed.next_action?.redirect_to_url?.url ?? '', new RegExp(`/_standin/3ds/${pi.id}$`));
  });

  it('keeps a delayed payment in processing, then succeeds by itself', async () => {
    const pi = await offSession('pm_standin_delayed_success');
    assert.equal(pi.status, 'processing');
    await waitUntil(
      async () => (await standin.stripe.paymentIntents.retrieve(pi.id)).status === 'succeeded',
      'the processing payment to succeed',
    );
  });

  it('authorizes with capture_method=manual, captures part of it once, and refuses more', async () => {
    const pi = await offSession('pm_card_visa', { capture_method: 'manual', amount: 1000 });
    assert.deepEqual([pi.status, pi.amount_capturable], ['requires_capture', 1000]);
    const tooMuch = await rejection(
      standin.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1001 }),
    );
    assert.deepEqual([tooMuch.statusCode, tooMuch.code], [400, 'amount_too_large']);
    const captured = await standin.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 600 });
    assert.deepEqual(
      [captured.status, captured.amount_received, captured.amount_capturable],
      ['succeeded', 600, 0],
    );
    const again = await rejection(standin.stripe.paymentIntents.capture(pi.id));
    assert.equal(again.code, 'payment_intent_unexpected_state');
  });

  it('cancels what may be canceled and refuses a succeeded PaymentIntent', async () => {
    const waiting = await create();
    const canceled = await standin.stripe.paymentIntents.cancel(waiting.id, {
      cancellation_reason: 'abandoned',
    });
    assert.deepEqual([canceled.status, canceled.cancellation_reason], ['canceled', 'abandoned']);
    const paid = await offSession('pm_card_visa');
    const err = await rejection(standin.stripe.paymentIntents.cancel(paid.id));
    assert.deepEqual([err.statusCode, err.code], [400, 'payment_intent_unexpected_state']);
  });

  it('cancels an authorization the bank let expire', async () => {
    const pi = await offSession('pm_card_visa', { capture_method: 'manual' });
    await standin.control.expireAuthorization(pi.id);
    const read = await standin.stripe.paymentIntents.retrieve(pi.id);
    assert.deepEqual([read.status, read.cancellation_reason], ['canceled', 'automatic']);
  });

  it('refuses a payment method Stripe does not know, and a PaymentIntent it does not have', async () => {
    const unknownMethod = await rejection(offSession('pm_not_a_test_card'));
    assert.deepEqual(
      [unknownMethod.statusCode, unknownMethod.code, unknownMethod.param],
      [400, 'resource_missing', 'payment_method'],
    );
    const unknownIntent = await rejection(standin.stripe.paymentIntents.retrieve('pi_doesnotexist'));
    assert.deepEqual([unknownIntent.statusCode, unknownIntent.code], [404, 'resource_missing']);
  });

  it("finds PaymentIntents by metadata['event_id'], the search the service makes", async () => {
    const eventId = `evt-search-${randomUUID()}`;
    const mine = await create({ metadata: { event_id: eventId, order_id: 'o-1' } });
    await create({ metadata: { event_id: `${eventId}-other` } });
    const found = await standin.stripe.paymentIntents.search({ query: `metadata['event_id']:'${eventId}'` });
    assert.deepEqual(
      found.data.map((pi) => pi.id),
      [mine.id],
    );
  });

  it('lets search lag behind a new PaymentIntent when told to, as Stripe’s index does', async () => {
    await standin.control.configure({ search_lag_ms: 60_000 });
    try {
      const eventId = `evt-lag-${randomUUID()}`;
      await create({ metadata: { event_id: eventId } });
      const found = await standin.stripe.paymentIntents.search({
        query: `metadata['event_id']:'${eventId}'`,
      });
      assert.equal(found.data.length, 0);
    } finally {
      await standin.control.configure({ search_lag_ms: 0 });
    }
  });
});
