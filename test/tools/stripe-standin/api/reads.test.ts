/** The reads besides PaymentIntents and refunds: charges, events, and a balance made of the payments. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';

describe('stripe-standin: charges, events and the balance', { timeout: 30_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null });
  });
  after(() => standin.close());

  it('holds captured payments minus refunds in pending, per currency, and nothing available', async () => {
    const empty = await standin.stripe.balance.retrieve();
    assert.deepEqual(empty.pending, [{ amount: 0, currency: 'usd', source_types: { card: 0 } }]);
    const pay = (amount: number, currency: string) =>
      standin.stripe.paymentIntents.create({
        amount,
        currency,
        payment_method: 'pm_card_visa',
        confirm: true,
        off_session: true,
      });
    const usd = await pay(3000, 'usd');
    await pay(700, 'eur');
    // A declined payment holds nothing.
    await assert.rejects(
      standin.stripe.paymentIntents.create({
        amount: 999,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
        off_session: true,
      }),
      /declined/,
    );
    await standin.stripe.refunds.create({ payment_intent: usd.id, amount: 1000 });
    const balance = await standin.stripe.balance.retrieve();
    assert.equal(balance.livemode, false);
    assert.deepEqual(
      balance.pending.map((b) => [b.currency, b.amount]),
      [
        ['eur', 700],
        ['usd', 2000],
      ],
    );
    assert.ok(balance.available.every((b) => b.amount === 0));
  });

  it('reads a charge and an event as they were recorded', async () => {
    const pi = await standin.stripe.paymentIntents.create({
      amount: 1234,
      currency: 'usd',
      payment_method: 'pm_card_mastercard',
      confirm: true,
      off_session: true,
    });
    const charge = await standin.stripe.charges.retrieve(
      typeof pi.latest_charge === 'string' ? pi.latest_charge : '',
    );
    assert.deepEqual(
      [charge.amount, charge.captured, charge.payment_intent, charge.payment_method_details?.card?.last4],
      [1234, true, pi.id, '4444'],
    );
    const [recorded] = await standin.control.events({ type: 'payment_intent.succeeded', object_id: pi.id });
    const event = await standin.stripe.events.retrieve(recorded?.id ?? '');
    assert.equal((event.data.object as { status?: string }).status, 'succeeded');
  });
});
