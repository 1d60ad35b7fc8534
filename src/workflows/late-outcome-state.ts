/**
 * The settling of one late contradiction, free of Temporal: given what the platform was told and what
 * Stripe now says, what must happen so the platform ends up told the truth. Pure.
 */
import type { ChargeFailure } from '../contracts/charge';
import type { LateOutcomeWorkflowInput } from '../contracts/late-outcome';
import type { PaymentEventPayload, RefundOutcome } from '../contracts/payment-provider';

export interface LateOutcomeState {
  readonly input: LateOutcomeWorkflowInput;
  readonly seenEventIds: readonly string[];
  /** The first verified event saying money was taken (the later ones are the same money). */
  readonly moneyTaken: PaymentEventPayload | null;
  readonly refund: RefundOutcome | null;
  readonly published: boolean;
  readonly operatorAlerted: boolean;
}

export type LateOutcomeStep =
  | { readonly kind: 'wait' }
  /** Nothing contradicts what was announced: nothing to do. */
  | { readonly kind: 'done'; readonly verdict: 'agrees' | 'settled' | 'operator' }
  /** The announcement is no longer known (not retained): an operator must decide. */
  | { readonly kind: 'alert_operator' }
  | { readonly kind: 'refund'; readonly amount: number; readonly paymentIntentId: string }
  /** The refund is pending at Stripe: look again later. */
  | { readonly kind: 'await_refund' }
  | { readonly kind: 'publish_refund'; readonly refund: RefundOutcome; readonly amount: number }
  | { readonly kind: 'publish_success' };

export function initialLateOutcomeState(input: LateOutcomeWorkflowInput): LateOutcomeState {
  return {
    input,
    seenEventIds: [],
    moneyTaken: null,
    refund: null,
    published: false,
    operatorAlerted: false,
  };
}

export function onLateEvent(state: LateOutcomeState, event: PaymentEventPayload): LateOutcomeState {
  if (state.seenEventIds.includes(event.stripe_event_id)) return state;
  const seen = { ...state, seenEventIds: [...state.seenEventIds, event.stripe_event_id] };
  if (event.type !== 'payment_intent.succeeded' || state.moneyTaken !== null) return seen;
  return { ...seen, moneyTaken: event };
}

export function onRefund(state: LateOutcomeState, refund: RefundOutcome): LateOutcomeState {
  return { ...state, refund };
}

export function onRefundRefused(state: LateOutcomeState, failure: ChargeFailure): LateOutcomeState {
  return { ...state, refund: { stripe_refund_id: '', status: 'failed', failure } };
}

export function nextLateOutcomeStep(state: LateOutcomeState): LateOutcomeStep {
  const taken = state.moneyTaken;
  if (taken === null) return { kind: 'wait' };
  const { announced, policy } = state.input;
  if (announced?.status === 'succeeded') return { kind: 'done', verdict: 'agrees' };
  // Nothing was ever published: the truth is the success itself, whatever the policy.
  if (state.input.nothing_announced) {
    return state.published ? { kind: 'done', verdict: 'settled' } : { kind: 'publish_success' };
  }
  if (announced === null) {
    return state.operatorAlerted ? { kind: 'done', verdict: 'operator' } : { kind: 'alert_operator' };
  }
  if (state.published) return { kind: 'done', verdict: 'settled' };
  if (policy === 'announce') return { kind: 'publish_success' };
  const amount = taken.amount ?? announced.amount;
  if (state.refund === null) return { kind: 'refund', amount, paymentIntentId: taken.payment_intent_id };
  if (state.refund.status === 'pending') return { kind: 'await_refund' };
  return { kind: 'publish_refund', refund: state.refund, amount };
}
