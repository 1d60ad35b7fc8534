/**
 * FROZEN: the state machine of ChargeWorkflow v1 (charges started before the `charge-lifecycle-v2`
 * marker). Kept only so those runs replay and finish as they began; never change what it decides.
 * Delete with charge-v1.ts once no v1 run is open or retained (see README, Operating it).
 *
 * The charge's state machine, free of Temporal so it can be unit-tested alone. The workflow owns one
 * `ChargeState` and feeds it the PaymentIntent it created and the Stripe events it is signalled.
 */
import {
  isTerminal,
  type ChargeFailure,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeStatus,
} from '../../contracts/charge';
import { formatAmount } from '../../contracts/currency';
import type { MoneyOf, PaymentEventPayload } from '../../contracts/payment-provider';

export interface ChargeState {
  readonly request: ChargeRequest;
  readonly status: ChargeStatus;
  readonly paymentIntentId: string | null;
  readonly failure: ChargeFailure | null;
  readonly updatedAt: string;
  /** Stripe event ids already applied or rejected: Stripe delivers at least once. */
  readonly seenEventIds: readonly string[];
  /** `created` of the newest event applied, to recognise a late, older event. */
  readonly lastEventCreated: number;
}

export function initialChargeState(request: ChargeRequest, now: string): ChargeState {
  return {
    request,
    status: 'pending',
    paymentIntentId: null,
    failure: null,
    updatedAt: now,
    seenEventIds: [],
    lastEventCreated: 0,
  };
}

/**
 * Within one `created` second the order of Stripe's events is unknown; a later stage of the
 * lifecycle wins then, so an equal-time `processing` never overwrites `requires_action`'s successor.
 */
const STAGE: Record<ChargeStatus, number> = {
  pending: 0,
  requires_action: 1,
  requires_payment_method: 1,
  processing: 2,
  // Never reached by v1 charges (they predate manual capture); here for the type's completeness.
  authorized: 2,
  succeeded: 3,
  failed: 3,
  canceled: 3,
};

/**
 * Maps a PaymentIntent status (from a create or a retrieve) to ours. `attempted` says whether a
 * confirmation was tried (we sent a payment method): only then does requires_payment_method mean
 * the payment was declined rather than that the customer has yet to pay.
 */
export function statusFromPaymentIntent(
  piStatus: string,
  failure: ChargeFailure | null,
  attempted: boolean,
): ChargeStatus {
  switch (piStatus) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'canceled';
    case 'processing':
      return 'processing';
    case 'requires_action':
      return 'requires_action';
    case 'requires_payment_method':
      return attempted && failure !== null ? 'failed' : 'pending';
    default:
      return 'pending';
  }
}

/** Maps a `payment_intent.*` event type to ours; undefined for events that do not move a charge. */
export function statusFromEventType(type: string): ChargeStatus | undefined {
  switch (type) {
    case 'payment_intent.succeeded':
      return 'succeeded';
    case 'payment_intent.payment_failed':
      return 'failed';
    case 'payment_intent.canceled':
      return 'canceled';
    case 'payment_intent.processing':
      return 'processing';
    case 'payment_intent.requires_action':
      return 'requires_action';
    default:
      return undefined;
  }
}

function withStatus(
  state: ChargeState,
  status: ChargeStatus,
  failure: ChargeFailure | null,
  now: string,
): ChargeState {
  // A failure explains a failed or canceled charge; on any other status it is stale noise.
  const keepsFailure = status === 'failed' || status === 'canceled';
  return { ...state, status, failure: keepsFailure ? failure : null, updatedAt: now };
}

/** The failure code of a charge whose PaymentIntent Stripe reports with other money than asked. */
export const AMOUNT_MISMATCH = 'amount_mismatch';

/**
 * Why a PaymentIntent or an event speaks of other money than the charge asked for, or undefined.
 * Money the provider did not state (results recorded before it was carried) is not held against it.
 */
export function moneyMismatch(request: ChargeRequest, money: MoneyOf): string | undefined {
  const amountDiffers = money.amount !== undefined && money.amount !== request.amount;
  const currencyDiffers = money.currency !== undefined && money.currency.toLowerCase() !== request.currency;
  if (!amountDiffers && !currencyDiffers) return undefined;
  const reported = formatAmount(money.amount ?? request.amount, money.currency ?? request.currency);
  return `Stripe reports ${reported}; the charge asked ${formatAmount(request.amount, request.currency)}`;
}

export function applyPaymentIntent(
  state: ChargeState,
  pi: { readonly id: string; readonly status: string; readonly failure: ChargeFailure | null } & MoneyOf,
  now: string,
  attempted: boolean,
): ChargeState {
  const withId = { ...state, paymentIntentId: pi.id };
  if (isTerminal(state.status)) return withId;
  // Never succeeded for other money: the order must not ship as paid; operators settle it at Stripe.
  const mismatch = moneyMismatch(state.request, pi);
  if (mismatch !== undefined) {
    return {
      ...withId,
      status: 'failed',
      failure: { code: AMOUNT_MISMATCH, message: mismatch },
      updatedAt: now,
    };
  }
  return withStatus(withId, statusFromPaymentIntent(pi.status, pi.failure, attempted), pi.failure, now);
}

export function failCharge(
  state: ChargeState,
  failure: ChargeFailure,
  paymentIntentId: string | null,
  now: string,
): ChargeState {
  return {
    ...state,
    status: 'failed',
    failure,
    paymentIntentId: paymentIntentId ?? state.paymentIntentId,
    updatedAt: now,
  };
}

/** Ends a charge that can no longer succeed by our decision (deadline, or a caller's cancel). */
export function cancelCharge(state: ChargeState, reason: ChargeFailure, now: string): ChargeState {
  if (isTerminal(state.status)) return state;
  return { ...state, status: 'canceled', failure: reason, updatedAt: now };
}

export type EventVerdict =
  | { readonly applied: true; readonly state: ChargeState }
  | {
      readonly applied: false;
      readonly state: ChargeState;
      readonly reason:
        | 'duplicate'
        | 'other_payment_intent'
        | 'amount_mismatch'
        | 'not_a_status_change'
        | 'already_final'
        | 'stale';
    };

/** Applies one Stripe event at most once and never moves a charge backwards. */
export function applyStripeEvent(state: ChargeState, event: PaymentEventPayload, now: string): EventVerdict {
  if (state.seenEventIds.includes(event.stripe_event_id))
    return { applied: false, state, reason: 'duplicate' };
  const seen = { ...state, seenEventIds: [...state.seenEventIds, event.stripe_event_id] };
  // A valid signature proves the event is from Stripe, not that it is about *our* PaymentIntent.
  if (state.paymentIntentId !== null && event.payment_intent_id !== state.paymentIntentId) {
    return { applied: false, state: seen, reason: 'other_payment_intent' };
  }
  // Nor that it is about the money this charge asked for (a PaymentIntent edited in the dashboard).
  if (moneyMismatch(state.request, event) !== undefined) {
    return { applied: false, state: seen, reason: 'amount_mismatch' };
  }
  const next = statusFromEventType(event.type);
  if (next === undefined) return { applied: false, state: seen, reason: 'not_a_status_change' };
  if (isTerminal(state.status)) return { applied: false, state: seen, reason: 'already_final' };
  const older =
    event.created < state.lastEventCreated ||
    (event.created === state.lastEventCreated && STAGE[next] < STAGE[state.status]);
  if (older) return { applied: false, state: seen, reason: 'stale' };
  const moved = withStatus(seen, next, event.failure, now);
  return {
    applied: true,
    state: { ...moved, paymentIntentId: event.payment_intent_id, lastEventCreated: event.created },
  };
}

export function toChargeRecord(state: ChargeState): ChargeRecord {
  return {
    event_id: state.request.event_id,
    order_id: state.request.order_id,
    status: state.status,
    amount: state.request.amount,
    currency: state.request.currency,
    payment_intent_id: state.paymentIntentId,
    failure: state.failure,
    updated_at: state.updatedAt,
  };
}
