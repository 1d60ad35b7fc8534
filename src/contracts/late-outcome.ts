/**
 * Stripe's word about a charge whose workflow has closed and that contradicts what the platform was
 * told: money taken for an order announced failed or canceled. One LateOutcomeWorkflow per charge
 * settles it (id `late-outcome-<event_id>`), started by the webhook receiver. Pure types.
 */
import type { ChargeRecord } from './charge';
import type { PaymentEventPayload } from './payment-provider';

/**
 * What to do with money taken after a charge was announced failed or canceled:
 * - `refund` (default): give it back at Stripe and announce the refund on payments.refunded;
 * - `announce`: keep it and announce the charge succeeded on payments.completed (the order system
 *   must then undo its cancellation).
 */
export const LATE_SUCCESS_POLICIES = ['refund', 'announce'] as const;
export type LateSuccessPolicy = (typeof LATE_SUCCESS_POLICIES)[number];
export const DEFAULT_LATE_SUCCESS_POLICY: LateSuccessPolicy = 'refund';

/** Why a correcting refund was made, on its Kafka record (`cause`). */
export const LATE_SUCCESS_CAUSE = 'money_taken_after_charge_ended';

export interface LateOutcomeWorkflowInput {
  /** The record the platform was told (the closed ChargeWorkflow's result); null once not retained. */
  readonly announced: ChargeRecord | null;
  /** The charge's workflow failed or was terminated: the platform was told nothing at all. */
  readonly nothing_announced: boolean;
  readonly event_id: string;
  readonly order_id: string;
  readonly policy: LateSuccessPolicy;
}

export function lateOutcomeWorkflowId(eventId: string): string {
  return `late-outcome-${eventId}`;
}

/** The refund id of the correcting refund: one per charge, so retries never refund twice. */
export function lateSuccessRefundId(eventId: string): string {
  return `late-success-${eventId}`;
}

/** Whether an event says money was taken: the only late word that can contradict an announcement. */
export function saysMoneyTaken(event: PaymentEventPayload): boolean {
  return event.type === 'payment_intent.succeeded';
}
