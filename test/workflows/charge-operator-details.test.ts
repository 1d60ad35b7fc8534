/** The current details an operator reads on a running charge's Web UI page (pure text). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeDetails, type ChargeDetailsInput } from '../../src/workflows/charge-operator-details';

const AT = Date.parse('2026-11-27T10:00:00Z');
const base: ChargeDetailsInput = {
  status: 'pending',
  paymentIntentId: 'pi_1',
  confirmedHere: false,
  activity: { kind: 'waiting', checkAt: AT, cancelAt: AT + 3_600_000, cancelRefused: false },
};

describe('the charge’s current details', () => {
  it('names the status, the PaymentIntent, what it waits for and what comes next, as a list', () => {
    assert.equal(
      chargeDetails(base),
      [
        '- **Status:** pending',
        '- **PaymentIntent:** pi_1',
        "- **Waiting for:** the customer to pay in the storefront (Stripe.js confirms the PaymentIntent with its client_secret, which GET /charges/:event_id answers from this workflow), then Stripe's webhook",
        '- **Next:** asks Stripe at 2026-11-27T10:00:00Z unless a webhook comes first; canceled at 2026-11-27T11:00:00Z if still open',
      ].join('\n'),
    );
  });

  it('waits for Stripe, not the customer, when the payment method was confirmed here, or while processing', () => {
    assert.match(
      chargeDetails({ ...base, confirmedHere: true }),
      /Waiting for:\*\* Stripe's webhook with the outcome$/m,
    );
    assert.match(chargeDetails({ ...base, status: 'processing' }), /the payment is processing/);
  });

  it('says when the charge is canceled first, and after a refused cancel that only Stripe can end it', () => {
    const soon = { kind: 'waiting', checkAt: AT + 60_000, cancelAt: AT, cancelRefused: false } as const;
    assert.match(
      chargeDetails({ ...base, status: 'requires_action', activity: soon }),
      /Next:\*\* canceled at 2026-11-27T10:00:00Z unless it moves before$/m,
    );
    const refused = { kind: 'waiting', checkAt: AT, cancelAt: undefined, cancelRefused: true } as const;
    assert.match(chargeDetails({ ...base, activity: refused }), /Stripe refused to cancel/);
  });

  it('says what it is doing between waits', () => {
    const doing = (activity: ChargeDetailsInput['activity']) => chargeDetails({ ...base, activity });
    assert.match(
      chargeDetails({ ...base, paymentIntentId: null, activity: { kind: 'creating' } }),
      /PaymentIntent:\*\* not created yet\n- \*\*Doing:\*\* creating the Stripe PaymentIntent/,
    );
    assert.match(doing({ kind: 'reconciling', why: 'other_money' }), /other money/);
    assert.match(
      doing({ kind: 'canceling', code: 'charge_expired' }),
      /canceling the PaymentIntent at Stripe \(charge_expired\)/,
    );
    assert.match(
      doing({ kind: 'publishing', topic: 'payments.completed' }),
      /publishing the outcome to payments\.completed/,
    );
  });
});
