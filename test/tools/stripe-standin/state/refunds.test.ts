/**
 * Refunds with Stripe's remainder rules: each refund takes from what is left of the captured
 * amount; more than the remainder is refused, and nothing more once it is all refunded.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';
import { waitUntil } from '../../../support/wait';

describe('stripe-standin: refunds', { timeout: 60_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null, refund_failure_after_ms: 100 });
  });
  after(() => standin.close());

  const paid = (paymentMethod = 'pm_card_visa', params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    standin.stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      metadata: { event_id: `evt-rf-${randomUUID()}` },
      payment_method: paymentMethod,
      confirm: true,
      off_session: true,
      ...params,
    });
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) return err;
      throw err;
    }
    assert.fail('expected the refund to be refused');
  };

  it('refunds in parts up to the captured amount, and refuses what exceeds the remainder', async () => {
    const pi = await paid();
    const first = await standin.stripe.refunds.create({ payment_intent: pi.id, amount: 3000 });
    assert.deepEqual([first.status, first.amount, first.charge], ['succeeded', 3000, pi.latest_charge]);
    const tooMuch = await refusal(standin.stripe.refunds.create({ payment_intent: pi.id, amount: 3000 }));
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.param, 'amount');
    assert.equal(
      tooMuch.message,
      'Refund amount ($30.00) is greater than unrefunded amount on charge ($20.00)',
    );
    const rest = await standin.stripe.refunds.create({ payment_intent: pi.id });
    assert.equal(rest.amount, 2000, 'without an amount Stripe refunds the remainder');
    const none = await refusal(standin.stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    assert.equal(none.code, 'charge_already_refunded');
    const report = await standin.control.paymentIntent(pi.id);
    assert.equal(report.refunded_amount, 5000);
    assert.equal((report.charges[0] as { refunded?: boolean }).refunded, true);
  });

  it('refunds only what was captured of a partly captured authorization', async () => {
    const pi = await paid('pm_card_visa', { capture_method: 'manual' });
    await standin.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1500 });
    const err = await refusal(standin.stripe.refunds.create({ payment_intent: pi.id, amount: 1501 }));
    assert.match(err.message, /\(\$15\.00\)$/);
    assert.equal((await standin.stripe.refunds.create({ payment_intent: pi.id })).amount, 1500);
  });

  it('refuses to refund a PaymentIntent that has no successful charge', async () => {
    const waiting = await standin.stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    const err = await refusal(standin.stripe.refunds.create({ payment_intent: waiting.id }));
    assert.deepEqual([err.statusCode, err.code], [400, 'charge_not_refundable']);
  });

  it('lets a refund of pm_card_refundFail fail later, which gives its amount back to the remainder', async () => {
    const pi = await paid('pm_card_refundFail');
    const refund = await standin.stripe.refunds.create({ payment_intent: pi.id, amount: 5000 });
    assert.equal(refund.status, 'succeeded');
    await waitUntil(
      async () => (await standin.stripe.refunds.retrieve(refund.id)).status === 'failed',
      'the refund to fail',
    );
    assert.equal(
      (await standin.stripe.refunds.retrieve(refund.id)).failure_reason,
      'expired_or_canceled_card',
    );
    assert.equal((await standin.stripe.refunds.create({ payment_intent: pi.id })).amount, 5000);
    const types = (await standin.control.events({ object_id: refund.id })).map((e) => e.type);
    assert.deepEqual(types, ['refund.created', 'refund.updated', 'refund.failed']);
  });
});
