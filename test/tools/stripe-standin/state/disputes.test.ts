/** Disputes a bank opens: told by the control API, or by Stripe's dispute test cards by themselves. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StandinControlError } from '../../../../tools/stripe-standin/control-client';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';
import { waitUntil } from '../../../support/wait';

describe('stripe-standin: disputes', { timeout: 60_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null, dispute_after_ms: 100 });
  });
  after(() => standin.close());

  const paid = (paymentMethod: string) =>
    standin.stripe.paymentIntents.create({
      amount: 4200,
      currency: 'eur',
      payment_method: paymentMethod,
      confirm: true,
      off_session: true,
    });

  it('opens a dispute on a paid charge when told, once, and closes it as won', async () => {
    const pi = await paid('pm_card_visa');
    const dispute = await standin.control.dispute(pi.id, { reason: 'product_not_received' });
    assert.deepEqual(
      [dispute['status'], dispute['reason'], dispute['amount'], dispute['charge']],
      ['needs_response', 'product_not_received', 4200, pi.latest_charge],
    );
    await assert.rejects(
      standin.control.dispute(pi.id),
      (err: unknown) => err instanceof StandinControlError && err.status === 400,
    );
    await standin.control.closeDispute(dispute.id, 'won');
    const read = await standin.stripe.disputes.retrieve(dispute.id);
    assert.equal(read.status, 'won');
    const types = (await standin.control.events({ object_id: dispute.id })).map((e) => e.type);
    assert.deepEqual(types, [
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.closed',
      'charge.dispute.funds_reinstated',
    ]);
  });

  it('refuses to dispute a charge that was never paid', async () => {
    const pi = await standin.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await assert.rejects(
      standin.control.dispute(pi.id),
      (err: unknown) => err instanceof StandinControlError && err.status === 400,
    );
  });

  it('opens a fraudulent dispute by itself soon after a payment with pm_card_createDispute', async () => {
    const pi = await paid('pm_card_createDispute');
    const report = await waitUntil(async () => {
      const read = await standin.control.paymentIntent(pi.id);
      return read.disputes.length > 0 ? read : undefined;
    }, 'the dispute to be opened');
    assert.equal(report.disputes[0]?.['reason'], 'fraudulent');
  });
});
