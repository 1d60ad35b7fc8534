/**
 * The after-run audit of Stripe's state (chaos/common/audit.ts): every event id has exactly one
 * PaymentIntent at Stripe, in the state of the outcome the charge was planned (and announced) to have.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { auditStripeState } from '../../../chaos/common/audit';
import { Violations } from '../../../chaos/common/violations';
import type { PaymentIntentReport, StandinControl } from '../../../tools/stripe-standin/control-client';

/** A stand-in whose PaymentIntents per event id are the given statuses. */
function standinHolding(statuses: Record<string, readonly string[]>): StandinControl {
  const paymentIntentsFor = (eventId: string): Promise<PaymentIntentReport[]> =>
    Promise.resolve(
      (statuses[eventId] ?? []).map(
        (status) => ({ id: `pi_${randomUUID()}`, status }) as PaymentIntentReport,
      ),
    );
  return { paymentIntentsFor } as unknown as StandinControl;
}

describe("the audit of Stripe's state after a chaos run", () => {
  const ok = `evt-ok-${randomUUID()}`;
  const declined = `evt-declined-${randomUUID()}`;

  it('finds nothing when each charge has one PaymentIntent in the state of its outcome', async () => {
    const violations = new Violations();
    const figures = await auditStripeState(
      [
        { eventId: ok, outcome: 'succeeded', paymentIntentId: undefined },
        { eventId: declined, outcome: 'failed', paymentIntentId: undefined },
      ],
      standinHolding({ [ok]: ['succeeded'], [declined]: ['canceled'] }),
      violations,
    );
    assert.deepEqual(violations.byKind(), {});
    assert.deepEqual(figures, { paymentIntentsAtStripe: 2, paymentIntentsPerEventMax: 1 });
  });

  it('names a charge announced one way while Stripe holds the money the other way', async () => {
    const violations = new Violations();
    await auditStripeState(
      [
        { eventId: ok, outcome: 'succeeded', paymentIntentId: undefined },
        { eventId: declined, outcome: 'failed', paymentIntentId: undefined },
      ],
      standinHolding({ [ok]: ['requires_payment_method'], [declined]: ['succeeded'] }),
      violations,
    );
    assert.deepEqual(violations.byKind(), { "Stripe's PaymentIntent disagrees with the outcome": 2 });
  });

  it('names an event id with no PaymentIntent or with two', async () => {
    const violations = new Violations();
    const figures = await auditStripeState(
      [
        { eventId: ok, outcome: 'succeeded', paymentIntentId: undefined },
        { eventId: declined, outcome: 'failed', paymentIntentId: undefined },
      ],
      standinHolding({ [ok]: ['succeeded', 'succeeded'] }),
      violations,
    );
    assert.deepEqual(violations.byKind(), {
      '0 PaymentIntents at Stripe for one event id': 1,
      '2 PaymentIntents at Stripe for one event id': 1,
    });
    assert.equal(figures.paymentIntentsPerEventMax, 2);
  });
});
