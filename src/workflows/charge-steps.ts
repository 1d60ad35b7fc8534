/**
 * What a charge does next, decided from its whole state and the workflow clock alone. ChargeWorkflow
 * performs the step and feeds the answer back (charge-state.ts); it decides nothing itself.
 */
import { isTerminal } from '../contracts/charge';
import type { PaymentEventPayload } from '../contracts/payment-provider';
import { contradictionToHandOver, holdDeadline, type CancelIntent, type ChargeState } from './charge-state';

export type ReconcileReason =
  'no_webhook' | 'other_money' | 'cancel_refused' | 'capture_refused' | 'deadline';

export type ChargeStep =
  /** Create (and, with a payment method, confirm) the PaymentIntent under this key generation. */
  | { readonly kind: 'create'; readonly generation: number }
  /** Find the PaymentIntent by event_id before a new idempotency key is used. */
  | { readonly kind: 'lookup' }
  | { readonly kind: 'reconcile'; readonly why: ReconcileReason }
  | { readonly kind: 'cancel'; readonly intent: CancelIntent }
  /** A deadline passed with the charge still open: decide the cancel (no I/O). */
  | { readonly kind: 'expire'; readonly which: 'charge' | 'requires_action' }
  /** Wait until something changes or the clock reaches `until` (workflow ms). */
  | {
      readonly kind: 'wait';
      readonly until: number;
      readonly checkAt: number;
      readonly cancelAt: number | undefined;
    }
  | { readonly kind: 'publish' }
  /** Manual capture: capture this amount of the hold at Stripe. */
  | { readonly kind: 'capture'; readonly amount: number }
  /** Manual capture: announce the authorization on payments.authorized (once). */
  | { readonly kind: 'publish_authorized' }
  /** Manual capture: the hold is about to expire; decide to void or capture it (no I/O). */
  | { readonly kind: 'expire_hold' }
  /**
   * After the outcome is published: money Stripe reports taken for a charge that ended without it is
   * handed to the late-outcome handling (refund or announce), which outlives this workflow.
   */
  | { readonly kind: 'hand_over_late'; readonly event: PaymentEventPayload }
  | { readonly kind: 'done' };

export function actionDeadline(state: ChargeState): number {
  return state.actionSince === null
    ? Infinity
    : state.actionSince + state.timing.requires_action_window_seconds * 1000;
}

export function nextStep(state: ChargeState, nowMs: number): ChargeStep {
  if (state.published) {
    const late = contradictionToHandOver(state);
    return late === undefined ? { kind: 'done' } : { kind: 'hand_over_late', event: late };
  }
  if (isTerminal(state.status)) return { kind: 'publish' };
  if (state.paymentIntentId === null) {
    if (!state.lookupNeeded) return { kind: 'create', generation: state.keyGeneration };
    // A refused lookup is tried again after its backoff, never replaced by a new key.
    const retryAt = state.nextCheckAt ?? nowMs;
    return nowMs >= retryAt
      ? { kind: 'lookup' }
      : { kind: 'wait', until: retryAt, checkAt: retryAt, cancelAt: undefined };
  }
  if (state.reconcileNeeded !== null) return { kind: 'reconcile', why: state.reconcileNeeded };
  if (state.cancel !== null) return { kind: 'cancel', intent: state.cancel };
  const checkAt = state.nextCheckAt ?? nowMs;
  // Only manual-capture charges are ever authorized: automatic ones never take these steps.
  if (state.captureAsked !== null) return { kind: 'capture', amount: state.captureAsked };
  if (state.status === 'authorized') {
    if (!state.authorizedPublished) return { kind: 'publish_authorized' };
    // The hold, not the charge deadline, bounds an authorized charge: it waits for the caller's capture.
    const expireAt = holdDeadline(state);
    if (nowMs >= expireAt) return { kind: 'expire_hold' };
    if (nowMs >= checkAt) return { kind: 'reconcile', why: 'no_webhook' };
    return { kind: 'wait', until: Math.min(checkAt, expireAt), checkAt, cancelAt: expireAt };
  }
  // After a refused cancel only Stripe's outcome ends the charge: no deadline can cancel it again.
  if (state.cancelRefused) {
    if (nowMs >= checkAt) return { kind: 'reconcile', why: 'no_webhook' };
    return { kind: 'wait', until: checkAt, checkAt, cancelAt: undefined };
  }
  const deadline = state.deadlineAt ?? Infinity;
  const action = actionDeadline(state);
  if (nowMs >= action) return { kind: 'expire', which: 'requires_action' };
  if (nowMs >= deadline) {
    // Stripe is asked once more at the deadline: a lost webhook must not turn a payment into a cancel.
    const askedSinceDeadline = state.lastCheckedAt !== null && state.lastCheckedAt >= deadline;
    return askedSinceDeadline ? { kind: 'expire', which: 'charge' } : { kind: 'reconcile', why: 'deadline' };
  }
  if (nowMs >= checkAt) return { kind: 'reconcile', why: 'no_webhook' };
  const cancelAt = Math.min(deadline, action);
  return { kind: 'wait', until: Math.min(checkAt, cancelAt), checkAt, cancelAt };
}
