/**
 * A dispute (a chargeback, or an inquiry before one) as the dispute workflow, GET /charges/:event_id
 * and the Kafka record on payments.disputed name it. Pure types and functions: safe in workflows.
 *
 * Stripe's own words are kept for the status and the reason (they are what an operator finds in the
 * Dashboard); ours are the changes the platform is told about.
 */

/**
 * The changes of a dispute the platform hears about, each once. Lifecycle order: `opened` first,
 * then `funds_withdrawn`; `closed` and `funds_reinstated` follow in the order Stripe reports them
 * (Stripe reinstates funds after a won dispute closes, or earlier for a partly refunded payment).
 */
export const DISPUTE_CHANGES = ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated'] as const;
export type DisputeChange = (typeof DISPUTE_CHANGES)[number];

/** Where each change sits in the lifecycle: no change is announced after one of a higher rank. */
export const DISPUTE_CHANGE_RANK: Readonly<Record<DisputeChange, number>> = {
  opened: 0,
  funds_withdrawn: 1,
  closed: 2,
  funds_reinstated: 2,
};

/** Statuses in which the merchant still has to answer with evidence before `evidence_due_by`. */
export const DISPUTE_NEEDS_RESPONSE_STATUSES: readonly string[] = [
  'warning_needs_response',
  'needs_response',
  'appeal_needs_response',
];

/** Statuses of a dispute still open: waiting for the merchant's evidence or for the bank. */
export const DISPUTE_OPEN_STATUSES: readonly string[] = [
  ...DISPUTE_NEEDS_RESPONSE_STATUSES,
  'warning_under_review',
  'under_review',
  'appeal_under_review',
];

/** Statuses a dispute closes with: its outcome. */
export const DISPUTE_CLOSED_STATUSES: readonly string[] = ['won', 'lost', 'warning_closed', 'prevented'];

export function isDisputeClosed(status: string | null): boolean {
  return status !== null && DISPUTE_CLOSED_STATUSES.includes(status);
}

export function disputeNeedsResponse(status: string | null): boolean {
  return status !== null && DISPUTE_NEEDS_RESPONSE_STATUSES.includes(status);
}

export { disputeWorkflowId } from './workflow-ids';

/** The same change of the same dispute always has the same id, however often it is published. */
export function disputeMessageId(disputeId: string, change: DisputeChange): string {
  return `dispute:${disputeId}:${change}`;
}

/** Fixed when the dispute's workflow starts (the workflow cannot read config). */
export interface DisputeTiming {
  /** How long before `evidence_due_by` a warning is logged while no evidence has been submitted. */
  readonly evidence_warning_seconds: number;
  /** How long a closed dispute still takes late events (funds reinstated after a won dispute). */
  readonly linger_after_close_seconds: number;
}

export const DEFAULT_DISPUTE_TIMING: DisputeTiming = {
  evidence_warning_seconds: 2 * 86_400,
  linger_after_close_seconds: 7 * 86_400,
};

export interface DisputeWorkflowInput {
  readonly dispute_id: string;
  /** What the first event named; the dispute's events are checked against it. */
  readonly payment_intent_id: string | null;
  readonly charge_id: string | null;
  readonly timing: DisputeTiming;
}

/**
 * Whose dispute it is, found through the PaymentIntent's metadata: `ours` names the charge; a
 * PaymentIntent without our metadata (or none at all) is `not_ours`.
 */
export type DisputeOwner =
  | { readonly kind: 'unknown' }
  | {
      readonly kind: 'ours';
      readonly event_id: string;
      readonly order_id: string;
      /** The charge's money as Stripe has it on the PaymentIntent (what the dispute is checked against). */
      readonly amount: number | undefined;
      readonly currency: string | undefined;
    }
  | { readonly kind: 'not_ours'; readonly reason: DisputeNotOursReason };

export type DisputeNotOursReason = 'no_payment_intent' | 'no_metadata' | 'payment_intent_not_found';

/** The dispute as GET /charges/:event_id lists it and the dispute workflow's query answers. */
export interface DisputeRecord {
  readonly dispute_id: string;
  readonly event_id: string | null;
  readonly order_id: string | null;
  readonly payment_intent_id: string | null;
  readonly charge_id: string | null;
  /** Stripe's status: warning_needs_response, needs_response, under_review, won, lost, … */
  readonly status: string | null;
  /** Stripe's reason: fraudulent, product_not_received, … */
  readonly reason: string | null;
  readonly amount: number | null;
  readonly currency: string | null;
  /** When evidence is due (Stripe's evidence_details.due_by), or null when none is asked for. */
  readonly evidence_due_by: string | null;
  readonly evidence_submitted: boolean;
  readonly funds_withdrawn: boolean;
  readonly funds_reinstated: boolean;
  /** The status the dispute closed with (won, lost, warning_closed, prevented); null while open. */
  readonly outcome: string | null;
  /** Why the dispute's money is not the charge's (more than it, or another currency), or null. */
  readonly money_mismatch: string | null;
  readonly updated_at: string;
}

/** The record on payments.disputed (schema version 1): one per change, keyed by order_id. */
export interface DisputeEventV1 {
  readonly event_id: string;
  readonly order_id: string;
  readonly dispute_id: string;
  readonly payment_intent_id: string | null;
  readonly charge_id: string | null;
  readonly change: DisputeChange;
  /** The dispute's status when the change happened (header `status`); the closed record's is its outcome. */
  readonly status: string;
  readonly reason: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly evidence_due_by: string | null;
  readonly funds_withdrawn: boolean;
  readonly funds_reinstated: boolean;
  /** Set on `closed`: won, lost, warning_closed or prevented. */
  readonly outcome: string | null;
  /** Set when Stripe's dispute is for other money than the charge: consumers must not trust its amount. */
  readonly money_mismatch: string | null;
  /** When Stripe recorded the change (the `created` of the first event that showed it). */
  readonly occurred_at: string;
}
