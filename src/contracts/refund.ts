/** Refunds of a succeeded charge, as callers, the refunds workflow and the Kafka record name them. */
import type { ChargeFailure, ChargeRecord } from './charge';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** The body of POST /charges/:event_id/refund. `refund_id` is the caller's idempotency key. */
export interface RefundRequest {
  readonly refund_id: string;
  readonly amount?: number;
  readonly reason?: RefundReason;
}

export interface RefundRecord {
  readonly refund_id: string;
  readonly amount: number;
  readonly reason: RefundReason | null;
  readonly status: RefundStatus;
  readonly stripe_refund_id: string | null;
  readonly failure: ChargeFailure | null;
  readonly updated_at: string;
}

/** What the refund update answers: the refund, and whether this request repeated an earlier one. */
export interface RefundAnswer {
  readonly refund: RefundRecord;
  readonly duplicate: boolean;
}

/**
 * How a refunds workflow starts: with the charge's record read from its ChargeWorkflow, or, once the
 * namespace's retention has removed that workflow, with the event_id alone (`charge: null`): its first
 * step then looks the PaymentIntent up at Stripe by our metadata, and Stripe's answer is the charge.
 */
export type RefundsWorkflowInput =
  | {
      /** The succeeded charge, final and immutable once its workflow has ended. */
      readonly charge: ChargeRecord;
      /** How long the charge accepts refunds; Stripe refuses most refunds after about 180 days. */
      readonly window_seconds: number;
    }
  | {
      /** No record: the ChargeWorkflow is no longer retained; Stripe is asked. */
      readonly charge: null;
      readonly event_id: string;
      readonly window_seconds: number;
    };

/**
 * How a refunds workflow that looked its charge up at Stripe ended without one to refund: nothing
 * found, not succeeded, or Stripe refused the look-up. Such a run holds no refund, so a later request
 * may start a new run under the same id (the gateway reads this result to allow it). Every other run
 * returns nothing: its id stays taken, so no second ledger can ever spend the same remainder.
 */
export interface RefundsWorkflowResult {
  readonly charge_lookup: 'not_found' | 'not_succeeded' | 'lookup_failed';
}

/** The event_id a refunds workflow is for, whichever way it was started. */
export function refundsInputEventId(input: RefundsWorkflowInput): string {
  return input.charge === null ? input.event_id : input.charge.event_id;
}

export const DEFAULT_REFUND_WINDOW_SECONDS = 180 * 24 * 60 * 60;

// Its home is workflow-ids.ts, beside the parser; re-exported here for the callers that build it.
export { refundsWorkflowId } from './workflow-ids';

/** The same key on every attempt, so a retried refunds.create never refunds twice. */
export function refundIdempotencyKey(refundId: string): string {
  return `payments:create-refund:${refundId}`;
}

export function refundMessageId(refundId: string, status: 'succeeded' | 'failed' | 'canceled'): string {
  return `refund:${refundId}:${status}`;
}

/** The record on payments.refunded / payments.refund_failed (schema version 1). */
export interface RefundEventV1 {
  readonly event_id: string;
  readonly order_id: string;
  readonly refund_id: string;
  readonly payment_intent_id: string | null;
  readonly stripe_refund_id: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly reason: RefundReason | null;
  /** Set when the service refunded on its own, e.g. `money_taken_after_charge_ended` (late outcome). */
  readonly cause?: string;
  readonly status: 'succeeded' | 'failed' | 'canceled';
  readonly failure?: ChargeFailure;
  readonly occurred_at: string;
}

/** Failure types the update validator raises; the gateway maps them to HTTP statuses. */
export const REFUND_EXCEEDS_REMAINDER = 'RefundExceedsRemainder';
export const REFUND_ID_CONFLICT = 'RefundIdConflict';
export const CHARGE_NOT_REFUNDABLE = 'ChargeNotRefundable';
export const REFUND_WINDOW_CLOSED = 'RefundWindowClosed';
/** Stripe has no PaymentIntent for the event_id (the ChargeWorkflow was not retained either). */
export const CHARGE_NOT_FOUND = 'ChargeNotFound';
/** An amount Stripe does not take in the charge's currency (known only once Stripe named it). */
export const REFUND_AMOUNT_NOT_ACCEPTED = 'RefundAmountNotAccepted';
/** Stripe refused to look the charge up (not a transient failure: those are retried). */
export const CHARGE_LOOKUP_FAILED = 'ChargeLookupFailed';

/**
 * A provider's refund status in ours (Stripe's requires_action is still pending for us). The refunds
 * workflow applies it too, to activity results recorded before the provider code mapped them.
 */
export function refundStatusOf(status: string | null | undefined): RefundStatus {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'canceled':
      return status;
    default:
      return 'pending';
  }
}
