/**
 * Stripe's word after the close, on the real stack with the Stripe stand-in (tools/stripe-standin, a
 * test tool) keeping the PaymentIntent and sending the webhooks: money Stripe takes for a charge that
 * was already announced failed is refunded at Stripe once and announced on payments.refunded with its
 * cause, however often Stripe delivers the event.
 *
 * The path, as Stripe can walk it: an operator edits the PaymentIntent's amount in the dashboard while
 * the customer is in the checkout; the customer's first card is declined, and its event shows the
 * other amount, so the charge ends failed (amount_mismatch, for operators to settle) with the
 * PaymentIntent still open; the customer then pays with another card.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import { LATE_SUCCESS_CAUSE, lateOutcomeWorkflowId } from '../../src/contracts/late-outcome';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { LateOutcomeWorkflow } from '../../src/workflows/late-outcome';
import { readRecordsFor } from '../support/kafka-reader';
import { standinServiceForSuite } from '../support/standin-suite';
import { STANDIN_TEST_KEY } from '../support/stripe-standin';
import { waitUntil } from '../support/wait';

const ASKED = 3100;
const EDITED = 3300;

describe(
  'money taken after a charge was announced failed (real stack, the Stripe stand-in)',
  { timeout: 180_000 },
  () => {
    const suite = standinServiceForSuite({ chargeDefaults: { amount: ASKED, currency: 'usd' } });

    /** What an operator does in the dashboard: the PaymentIntent's amount changed at Stripe. */
    async function editAmountAtStripe(paymentIntentId: string, amount: number): Promise<void> {
      const res = await fetch(`${suite.standin.url}/v1/payment_intents/${paymentIntentId}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${STANDIN_TEST_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ amount: String(amount) }).toString(),
      });
      assert.equal(res.status, 200, await res.text());
    }

    it('refunds it at Stripe once and publishes payments.refunded with its cause, whatever Stripe redelivers', async () => {
      const eventId = await suite.newCharge({}, 'evt-late');
      const pi = await waitUntil(
        async () => (await suite.charge(eventId)).payment_intent_id ?? undefined,
        `the PaymentIntent of ${eventId}`,
      );
      await editAmountAtStripe(pi, EDITED);
      const declined = await suite.standin.control.confirm(pi, 'pm_card_chargeDeclined');
      assert.equal(declined.payment_intent.status, 'requires_payment_method');

      const ended: ChargeRecord = await suite.temporal.workflow
        .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId))
        .result();
      assert.equal(ended.status, 'failed');
      assert.equal(ended.failure?.code, 'amount_mismatch');
      const [intent] = await suite.standin.control.paymentIntentsFor(eventId);
      assert.equal(intent?.status, 'requires_payment_method', 'the PaymentIntent is still open at Stripe');

      // The customer, still in the checkout, pays with another card: Stripe takes the edited amount.
      const paid = await suite.standin.control.confirm(pi, 'pm_card_visa');
      assert.equal(paid.payment_intent.status, 'succeeded');

      // Started by the webhook receiver once Stripe's payment_intent.succeeded reaches it.
      const verdict = await waitUntil(
        () =>
          suite.temporal.workflow
            .getHandle<typeof LateOutcomeWorkflow>(lateOutcomeWorkflowId(eventId))
            .result(),
        'the late outcome settled',
        60_000,
      );
      assert.equal(verdict, 'settled');

      // Stripe delivers the success twice more (a redelivery after a lost answer, a replay from the dashboard).
      const [succeeded] = await suite.standin.control.events({
        type: 'payment_intent.succeeded',
        payment_intent: pi,
      });
      assert.ok(succeeded, 'Stripe sent payment_intent.succeeded');
      await suite.standin.control.resendEvent(succeeded.id);
      await suite.standin.control.resendEvent(succeeded.id);
      await waitUntil(async () => {
        const deliveries = await suite.standin.control.webhookDeliveries({ event_id: succeeded.id });
        const answered = deliveries.filter((d) => d.status === 200);
        return answered.length >= 3 ? answered : undefined;
      }, 'three deliveries of the success, each answered 200');

      const atStripe = await suite.standin.control.paymentIntent(pi);
      assert.equal(atStripe.status, 'succeeded');
      assert.equal(atStripe.amount, EDITED);
      assert.equal(atStripe.refunds.length, 1, 'one refund at Stripe');
      assert.equal(atStripe.refunded_amount, EDITED, 'all the money taken, given back');

      const records = await waitUntil(async () => {
        const read = await readRecordsFor(['payments.refunded', 'payments.failed'], new Set([eventId]));
        return read.some((r) => r.topic === 'payments.refunded') ? read : undefined;
      }, 'the refund record');
      const refunded = records.filter((r) => r.topic === 'payments.refunded');
      assert.equal(refunded.length, 1);
      assert.equal(refunded[0]?.value['cause'], LATE_SUCCESS_CAUSE);
      assert.equal(refunded[0]?.value['amount'], EDITED);
      const failed = records.filter((r) => r.topic === 'payments.failed');
      assert.equal(failed.length, 1, 'the earlier announcement stands');
      assert.equal((failed[0]?.value['failure'] as { code?: string } | undefined)?.code, 'amount_mismatch');
    });
  },
);
