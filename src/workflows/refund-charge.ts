/**
 * What a refunds workflow knows about the charge it refunds, and whether a refund request may be
 * taken: pure, so the decisions are unit-tested without Temporal. The charge comes from its record
 * (the ChargeWorkflow was still retained) or from Stripe's PaymentIntent, found by our metadata once
 * the namespace's retention has removed the ChargeWorkflow; until Stripe has answered, requests wait.
 */
import type { ChargeRecord } from '../contracts/charge';
import { amountGranularityProblem } from '../contracts/currency';
import type { PaymentIntentOutcome } from '../contracts/payment-provider';
import {
  CHARGE_NOT_FOUND,
  CHARGE_NOT_REFUNDABLE,
  CHARGE_LOOKUP_FAILED,
  REFUND_AMOUNT_NOT_ACCEPTED,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_ID_CONFLICT,
  REFUND_WINDOW_CLOSED,
  type RefundRecord,
  type RefundRequest,
  type RefundReason,
} from '../contracts/refund';
import { decideRefund, type RefundLedger } from './refund-ledger';

/** The money a refund comes out of: what the refunds workflow and its records need of the charge. */
export interface RefundableCharge {
  readonly event_id: string;
  readonly order_id: string;
  readonly payment_intent_id: string | null;
  /** What was taken (minor units): for a manual-capture charge, what was captured. */
  readonly amount: number;
  readonly currency: string;
}

/** What is known once the record was read or Stripe has answered. */
export type KnownCharge =
  | { readonly kind: 'refundable'; readonly charge: RefundableCharge; readonly closesAt: number }
  | { readonly kind: 'not_succeeded'; readonly status: string }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'lookup_failed'; readonly message: string };

export type ChargeKnowledge = { readonly kind: 'looking_up' } | KnownCharge;

/**
 * A charge known from its record (the ChargeWorkflow's final state). A manual-capture charge is
 * refunded from what was captured, not from what was asked (the gateway hands that amount in).
 */
export function chargeFromRecord(record: ChargeRecord, closesAt: number): KnownCharge {
  if (record.status !== 'succeeded') return { kind: 'not_succeeded', status: record.status };
  const { event_id, order_id, payment_intent_id, amount, currency } = record;
  return {
    kind: 'refundable',
    charge: { event_id, order_id, payment_intent_id, amount, currency },
    closesAt,
  };
}

/**
 * The charge as Stripe has it, when its record is gone. Only a succeeded PaymentIntent is refundable,
 * for what Stripe received (a manual capture's captured amount; `amount` for automatic capture, which
 * receives it all). The window is counted from the PaymentIntent's creation: the payment succeeded at
 * or after it, so the window never closes later than it would from the success itself. A PaymentIntent
 * without its creation time cannot be dated: its window is taken as closed.
 */
export function chargeFromStripe(
  eventId: string,
  found: PaymentIntentOutcome | null,
  windowSeconds: number,
): KnownCharge {
  if (found === null) return { kind: 'not_found' };
  if (found.status !== 'succeeded') return { kind: 'not_succeeded', status: found.status };
  const amount = found.amount_received ?? found.amount;
  if (amount === undefined || found.currency === undefined) {
    return { kind: 'lookup_failed', message: 'Stripe named no amount or currency for the PaymentIntent' };
  }
  const closesAt = found.created !== undefined ? found.created * 1000 + windowSeconds * 1000 : -Infinity;
  return {
    kind: 'refundable',
    charge: {
      event_id: eventId,
      order_id: found.metadata?.order_id ?? '',
      payment_intent_id: found.id,
      amount,
      currency: found.currency,
    },
    closesAt,
  };
}

/** A refusal: the failure type the gateway maps to its HTTP answer, and the caller's message. */
export interface RefundRefusal {
  readonly kind: 'refuse';
  readonly type: string;
  readonly message: string;
}

export type RefundVerdict =
  | { readonly kind: 'wait' }
  | RefundRefusal
  | { readonly kind: 'new'; readonly amount: number; readonly reason: RefundReason | null }
  | { readonly kind: 'duplicate'; readonly refund: RefundRecord };

const refuse = (type: string, message: string): RefundRefusal => ({ kind: 'refuse', type, message });

/**
 * Whether a refund request is taken, from what is known of the charge and the ledger at `nowMs`.
 * The update validator asks it (a refusal never reaches the history) and the handler asks again
 * right before it records the refund, with no await in between, so two requests can never both
 * spend the same remainder. While Stripe is still being asked, the verdict is `wait`.
 */
export function judgeRefund(
  knowledge: ChargeKnowledge,
  ledger: RefundLedger,
  request: RefundRequest,
  nowMs: number,
): RefundVerdict {
  switch (knowledge.kind) {
    case 'looking_up':
      return { kind: 'wait' };
    case 'not_found':
      return refuse(CHARGE_NOT_FOUND, 'no charge with that event_id (Stripe has no payment for it)');
    case 'not_succeeded':
      return refuse(
        CHARGE_NOT_REFUNDABLE,
        `the charge is ${knowledge.status}; only a succeeded charge can be refunded`,
      );
    case 'lookup_failed':
      return refuse(CHARGE_LOOKUP_FAILED, 'the charge could not be looked up at Stripe; retry later');
    case 'refundable':
      break;
  }
  const decision = decideRefund(ledger, request);
  switch (decision.kind) {
    case 'duplicate':
      // A repeat is answered even past the window (the refund it repeats was taken within it).
      return decision;
    case 'conflict':
      return refuse(REFUND_ID_CONFLICT, decision.message);
    case 'exceeds':
      return refuse(REFUND_EXCEEDS_REMAINDER, decision.message);
    case 'new': {
      if (nowMs >= knowledge.closesAt) {
        return refuse(REFUND_WINDOW_CLOSED, 'the refund window of this charge has closed');
      }
      const granularity =
        request.amount === undefined
          ? undefined
          : amountGranularityProblem(request.amount, knowledge.charge.currency);
      if (granularity !== undefined) return refuse(REFUND_AMOUNT_NOT_ACCEPTED, `amount ${granularity}`);
      return decision;
    }
  }
}
