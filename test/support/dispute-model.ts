/**
 * A small model of a Stripe dispute's life, for the tests: the events Stripe sends for one dispute,
 * in the order Stripe creates them, each carrying the Dispute as it stood then (so a later object
 * lists every earlier balance transaction). Property tests generate lifecycles from it and deliver
 * their events repeated and out of order; workflow and integration tests use its fixed paths.
 */
import fc from 'fast-check';
import { DISPUTE_CHANGES, isDisputeClosed, type DisputeChange } from '../../src/contracts/dispute';
import type { DisputeEventPayload } from '../../src/contracts/payment-provider';

export interface DisputeLifecycle {
  readonly disputeId: string;
  readonly paymentIntentId: string;
  readonly amount: number;
  readonly currency: string;
  /** Stripe's events, in the order Stripe created them (non-decreasing `created`). */
  readonly events: readonly DisputeEventPayload[];
}

/** The choices that make one dispute's path. */
export interface DisputePath {
  /** Starts as an inquiry (warning_needs_response) rather than a chargeback. */
  readonly inquiry: boolean;
  /** The inquiry escalates to a chargeback (else it closes as warning_closed). */
  readonly escalates: boolean;
  /** The chargeback's withdrawal is already on the created Dispute (else a funds_withdrawn event follows). */
  readonly withdrawnAtCreation: boolean;
  /** The merchant submits evidence (under_review) before the outcome. */
  readonly evidence: boolean;
  readonly outcome: 'won' | 'lost';
  /** A won dispute's reinstatement: on the closed Dispute already, in a later event, or both. */
  readonly reinstatement: 'on_close' | 'later' | 'both';
  /** Seconds between consecutive events (0: the same second, where the stage decides). */
  readonly gaps: readonly number[];
}

const T0 = 1_767_000_000;
const DAY = 86_400;

/** The events of one path, each with the Dispute as it stood when Stripe sent it. */
export function lifecycleOf(
  path: DisputePath,
  ids: {
    disputeId: string;
    paymentIntentId: string;
    amount?: number;
    currency?: string;
    eventPrefix?: string;
  },
): DisputeLifecycle {
  const amount = ids.amount ?? 3000;
  const currency = ids.currency ?? 'usd';
  const events: DisputeEventPayload[] = [];
  let created = T0;
  let withdrawn = false;
  let reinstated = false;
  let submissions = 0;
  const dueBy = T0 + 10 * DAY;
  const push = (type: string, status: string): void => {
    created += path.gaps[events.length % Math.max(path.gaps.length, 1)] ?? 1;
    events.push({
      stripe_event_id: `${ids.eventPrefix ?? 'evt'}_${ids.disputeId}_${events.length}`,
      type: `charge.dispute.${type}`,
      created,
      dispute_id: ids.disputeId,
      payment_intent_id: ids.paymentIntentId,
      charge_id: `ch_${ids.disputeId}`,
      status,
      reason: 'fraudulent',
      amount,
      currency,
      evidence_due_by: dueBy,
      evidence_submission_count: submissions,
      funds_withdrawn: withdrawn,
      funds_reinstated: reinstated,
    });
  };

  if (path.inquiry) {
    push('created', 'warning_needs_response');
    if (!path.escalates) {
      push('closed', 'warning_closed');
      return { disputeId: ids.disputeId, paymentIntentId: ids.paymentIntentId, amount, currency, events };
    }
    withdrawn = path.withdrawnAtCreation;
    push('updated', 'needs_response');
  } else {
    withdrawn = path.withdrawnAtCreation;
    push('created', 'needs_response');
  }
  if (!withdrawn) {
    withdrawn = true;
    push('funds_withdrawn', 'needs_response');
  }
  if (path.evidence) {
    submissions = 1;
    push('updated', 'under_review');
  }
  if (path.outcome === 'lost') {
    push('closed', 'lost');
  } else {
    reinstated = path.reinstatement !== 'later';
    push('closed', 'won');
    if (path.reinstatement !== 'on_close') {
      reinstated = true;
      push('funds_reinstated', 'won');
    }
  }
  return { disputeId: ids.disputeId, paymentIntentId: ids.paymentIntentId, amount, currency, events };
}

/** What the platform must have heard once every event is in, in lifecycle order. */
export function expectedChanges(lifecycle: DisputeLifecycle): DisputeChange[] {
  const last = lifecycle.events.at(-1);
  if (last === undefined) return [];
  const happened: Record<DisputeChange, boolean> = {
    opened: true,
    funds_withdrawn: last.funds_withdrawn,
    closed: isDisputeClosed(last.status),
    funds_reinstated: last.funds_reinstated,
  };
  return DISPUTE_CHANGES.filter((c) => happened[c]);
}

export const disputePathArbitrary: fc.Arbitrary<DisputePath> = fc.record({
  inquiry: fc.boolean(),
  escalates: fc.boolean(),
  withdrawnAtCreation: fc.boolean(),
  evidence: fc.boolean(),
  outcome: fc.constantFrom('won' as const, 'lost' as const),
  reinstatement: fc.constantFrom('on_close' as const, 'later' as const, 'both' as const),
  gaps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
});

/**
 * How Stripe may deliver the events: each at least once, some again, in any order. `order` sorts the
 * deliveries; `repeats` names events delivered once more.
 */
export const deliveryArbitrary = (count: number): fc.Arbitrary<number[]> =>
  fc
    .record({
      repeats: fc.array(fc.nat({ max: count - 1 }), { maxLength: count * 2 }),
      keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: count * 3,
        maxLength: count * 3,
      }),
    })
    .map(({ repeats, keys }) => {
      const deliveries = [...Array.from({ length: count }, (_, i) => i), ...repeats];
      return deliveries
        .map((index, i) => ({ index, key: keys[i] ?? 0 }))
        .sort((a, b) => a.key - b.key)
        .map((d) => d.index);
    });
