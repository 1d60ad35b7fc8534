/**
 * The whole truth of one charge, free of Temporal so it can be tested alone (and driven by generated
 * Stripe histories: test/workflows/charge-lifecycle.property.test.ts). ChargeWorkflow owns one
 * `ChargeState`, feeds it what Stripe said (activity results, webhook events, a caller's cancel, the
 * clock) through the functions here, and performs whatever `nextStep` (charge-steps.ts) decides.
 *
 * The rules that keep what the platform hears equal to what Stripe did with the money:
 * - a charge is announced final only when Stripe's PaymentIntent is final: succeeded, or canceled
 *   (a decline or a deadline first cancels the PaymentIntent at Stripe, so no later confirmation can
 *   take money for an order announced failed);
 * - a browser-confirmed charge whose card is declined stays open (`requires_payment_method`): the
 *   customer may try another card until the charge's deadline;
 * - Stripe failing to answer only delays a step; it never ends a charge.
 */
import {
  AUTHORIZATION_EXPIRED_CODE,
  awaitsCustomer,
  isTerminal,
  type CapturePolicy,
  type ChargeFailure,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeStatus,
  type ChargeTiming,
} from '../contracts/charge';
import { formatAmount } from '../contracts/currency';
import type {
  CustomerActionOf,
  HoldOf,
  MoneyOf,
  PaymentEventPayload,
  PaymentIntentOutcome,
} from '../contracts/payment-provider';

/** A cancel the charge has decided on: why, and how the charge ends once Stripe has canceled. */
export interface CancelIntent {
  readonly failure: ChargeFailure;
  readonly reason: 'abandoned' | 'requested_by_customer';
  /** `failed` for a decline being closed at Stripe; `canceled` for a deadline or a caller's cancel. */
  readonly endsAs: 'failed' | 'canceled';
}

export interface ChargeState {
  readonly request: ChargeRequest;
  readonly timing: ChargeTiming;
  readonly status: ChargeStatus;
  readonly paymentIntentId: string | null;
  /** Why a charge ended failed or canceled; while `requires_payment_method`, the last decline. */
  readonly failure: ChargeFailure | null;
  readonly updatedAt: string;
  /** Stripe event ids already applied or rejected: Stripe delivers at least once. */
  readonly seenEventIds: readonly string[];
  /** `created` of the newest event applied, to recognise a late, older event. */
  readonly lastEventCreated: number;
  /** Events that came before the PaymentIntent id was known: applied once it is. */
  readonly earlyEvents: readonly PaymentEventPayload[];
  /** The create's idempotency-key generation (a new one only after a lookup found nothing). */
  readonly keyGeneration: number;
  /** The create's retries outlived their window: look the PaymentIntent up before a new key. */
  readonly lookupNeeded: boolean;
  /** A webhook spoke of other money, or a cancel was refused: ask Stripe before anything else. */
  readonly reconcileNeeded: 'other_money' | 'cancel_refused' | 'capture_refused' | null;
  /** A cancel decided on and not yet done at Stripe. */
  readonly cancel: CancelIntent | null;
  /** Stripe refused to cancel a PaymentIntent that is still moving: only its outcome ends the charge. */
  readonly cancelRefused: boolean;
  /** Workflow time (ms) of the deadlines and of the next look at Stripe; null before the PaymentIntent. */
  readonly deadlineAt: number | null;
  readonly actionSince: number | null;
  readonly nextCheckAt: number | null;
  readonly checkIntervalMs: number;
  /** Workflow time (ms) of the last look at Stripe (a deadline asks Stripe once before it cancels). */
  readonly lastCheckedAt: number | null;
  /** Looks at Stripe that failed in a row (a metric and a warning while it lasts). */
  readonly stripeFailuresInRow: number;
  readonly published: boolean;
  /**
   * Stripe events that contradicted the final outcome while this workflow still ran (money taken after
   * it decided failed or canceled): each is handed to the late-outcome handling before the workflow
   * closes, as the webhook receiver does with those that come after.
   */
  readonly contradictions: readonly PaymentEventPayload[];
  /** How many of `contradictions` were handed over (in order). */
  readonly contradictionsHandedOver: number;
  /** Manual capture only (null on automatic charges, which never reach any of the fields below). */
  readonly capturePolicy: CapturePolicy | null;
  /** What the hold lets us capture; null before the card is authorized. */
  readonly amountCapturable: number | null;
  /** Workflow time (ms) the hold expires (Stripe's capture_before, or the policy's default lifetime). */
  readonly holdExpiresAt: number | null;
  /** A capture decided on (the amount) and not yet answered by Stripe. */
  readonly captureAsked: number | null;
  /** Why Stripe refused the last capture (the caller's update reports it). */
  readonly captureFailure: ChargeFailure | null;
  readonly amountCaptured: number | null;
  /** payments.authorized was published (once per charge). */
  readonly authorizedPublished: boolean;
  /**
   * The PaymentIntent's client_secret, from the create (or a retrieve, a lookup, an event): what the
   * customer's browser confirms with. Kept here, so the gateway's reads are queries and never a call
   * to Stripe; Temporal holds it only encrypted (the payload codec). Null until Stripe has said it,
   * and in charges started before it was kept, until loadClientSecret reads it.
   */
  readonly clientSecret: string | null;
  /** The PaymentIntent's next_action as Stripe last said it (3-D Secure), or null. */
  readonly nextAction: Readonly<Record<string, unknown>> | null;
}

export function initialChargeState(
  request: ChargeRequest,
  timing: ChargeTiming,
  now: string,
  capturePolicy: CapturePolicy | null = null,
): ChargeState {
  return {
    request,
    timing,
    status: 'pending',
    paymentIntentId: null,
    failure: null,
    updatedAt: now,
    seenEventIds: [],
    lastEventCreated: 0,
    earlyEvents: [],
    keyGeneration: 1,
    lookupNeeded: false,
    reconcileNeeded: null,
    cancel: null,
    cancelRefused: false,
    deadlineAt: null,
    actionSince: null,
    nextCheckAt: null,
    checkIntervalMs: timing.reconcile_after_seconds * 1000,
    lastCheckedAt: null,
    stripeFailuresInRow: 0,
    published: false,
    contradictions: [],
    contradictionsHandedOver: 0,
    capturePolicy,
    amountCapturable: null,
    holdExpiresAt: null,
    captureAsked: null,
    captureFailure: null,
    amountCaptured: null,
    authorizedPublished: false,
    clientSecret: null,
    nextAction: null,
  };
}

/**
 * What Stripe said the customer needs (a PaymentIntent or an event that carries its client_secret).
 * A result or signal recorded before these were carried says nothing, and changes nothing.
 */
function withCustomerAction(state: ChargeState, said: CustomerActionOf): ChargeState {
  if (said.client_secret === undefined) return state;
  return { ...state, clientSecret: said.client_secret, nextAction: said.next_action ?? null };
}

/** The caller gave a payment method: the PaymentIntent was confirmed here (on-session with a return_url). */
export function confirmedHere(state: ChargeState): boolean {
  return state.request.payment_method !== undefined;
}

/**
 * Within one `created` second the order of Stripe's events is unknown; a later stage of the
 * lifecycle wins then, so an equal-time `processing` never overwrites its successor.
 */
const STAGE: Record<ChargeStatus, number> = {
  pending: 0,
  requires_payment_method: 1,
  requires_action: 1,
  processing: 2,
  authorized: 2.5,
  succeeded: 3,
  failed: 3,
  canceled: 3,
};

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

/** What Stripe's PaymentIntent status means for the charge (a decline is not yet an ending). */
type StripeWord =
  | { readonly kind: 'status'; readonly status: ChargeStatus }
  | { readonly kind: 'declined'; readonly failure: ChargeFailure }
  | { readonly kind: 'none' };

function wordOfPaymentIntent(piStatus: string, failure: ChargeFailure | null): StripeWord {
  switch (piStatus) {
    case 'succeeded':
    case 'canceled':
    case 'processing':
    case 'requires_action':
      return { kind: 'status', status: piStatus };
    case 'requires_payment_method':
      return failure !== null ? { kind: 'declined', failure } : { kind: 'status', status: 'pending' };
    // Only a manual-capture PaymentIntent waits here: the card is authorized, the money held.
    case 'requires_capture':
      return { kind: 'status', status: 'authorized' };
    default:
      return { kind: 'status', status: 'pending' };
  }
}

function wordOfEvent(event: PaymentEventPayload): StripeWord {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return { kind: 'status', status: 'succeeded' };
    case 'payment_intent.canceled':
      return { kind: 'status', status: 'canceled' };
    case 'charge.expired':
      // The uncaptured authorization lapsed: Stripe cancels the PaymentIntent (its own event follows).
      return { kind: 'status', status: 'canceled' };
    case 'payment_intent.processing':
      return { kind: 'status', status: 'processing' };
    case 'payment_intent.requires_action':
      return { kind: 'status', status: 'requires_action' };
    case 'payment_intent.amount_capturable_updated':
      return { kind: 'status', status: 'authorized' };
    case 'payment_intent.payment_failed':
      return {
        kind: 'declined',
        failure: event.failure ?? { code: 'payment_failed', message: 'the payment was declined' },
      };
    default:
      return { kind: 'none' };
  }
}

function moved(
  state: ChargeState,
  status: ChargeStatus,
  failure: ChargeFailure | null,
  now: string,
): ChargeState {
  return { ...state, status, failure, updatedAt: now };
}

/** Applies what Stripe says the PaymentIntent is now (a create, a retrieve, a lookup, or an event). */
function applyWord(state: ChargeState, word: StripeWord, now: string, nowMs: number): ChargeState {
  if (word.kind === 'none') return state;
  if (word.kind === 'declined') {
    // Server-confirmed: the decline is final for us, but the PaymentIntent stays open at Stripe until
    // it is canceled; cancel it first, so no later confirmation can take money for an order
    // announced failed. Browser-confirmed: Stripe's Payment Element lets the customer try again.
    if (confirmedHere(state)) {
      if (state.cancel !== null) return state;
      return {
        ...state,
        failure: word.failure,
        updatedAt: now,
        cancel: { failure: word.failure, reason: 'abandoned', endsAs: 'failed' },
      };
    }
    // A refused cancel no longer holds once the payment stopped moving: the deadline may cancel again.
    return {
      ...moved(state, 'requires_payment_method', word.failure, now),
      actionSince: null,
      cancelRefused: false,
    };
  }
  const { status } = word;
  if (status === 'canceled') {
    // Canceled at Stripe: by our cancel (its reason), by Stripe itself, or in the dashboard. An
    // authorized charge canceled by Stripe is its hold released (the authorization expired).
    const failure =
      state.cancel?.failure ??
      (state.status === 'authorized'
        ? {
            code: AUTHORIZATION_EXPIRED_CODE,
            message: `Stripe released the hold (the PaymentIntent was canceled at Stripe); it was due to expire at ${expiryText(state)}`,
          }
        : { code: 'canceled_at_stripe', message: 'the PaymentIntent was canceled at Stripe' });
    return { ...moved(state, state.cancel?.endsAs ?? 'canceled', failure, now), cancel: null };
  }
  if (status === 'succeeded') return { ...moved(state, 'succeeded', null, now), cancel: null };
  const actionSince = status === 'requires_action' ? (state.actionSince ?? nowMs) : null;
  const cancelRefused = status === 'processing' && state.cancelRefused;
  // A decline being closed stays reported as that decline until Stripe confirms the cancel.
  if (state.cancel !== null) return { ...state, actionSince, cancelRefused };
  return { ...moved(state, status, null, now), actionSince, cancelRefused };
}

/** Starts the clocks that only run once a PaymentIntent exists. */
function startClocks(state: ChargeState, nowMs: number): ChargeState {
  if (state.deadlineAt !== null) return state;
  return {
    ...state,
    deadlineAt: nowMs + state.timing.reconcile_deadline_seconds * 1000,
    nextCheckAt: nowMs + state.checkIntervalMs,
  };
}

/** Stripe's PaymentIntent, from a create, retrieve or lookup. Early events are applied after it. */
export function onPaymentIntent(
  state: ChargeState,
  pi: PaymentIntentOutcome,
  now: string,
  nowMs: number,
): ChargeState {
  let next: ChargeState = startClocks({ ...state, paymentIntentId: pi.id, lookupNeeded: false }, nowMs);
  next = { ...next, stripeFailuresInRow: 0 };
  if (!isTerminal(next.status)) {
    const mismatch = moneyMismatch(state.request, pi);
    // Never succeeded for other money: the order must not ship as paid; operators settle it at Stripe.
    next =
      mismatch !== undefined
        ? { ...moved(next, 'failed', { code: AMOUNT_MISMATCH, message: mismatch }, now), cancel: null }
        : applyWord(next, wordOfPaymentIntent(pi.status, pi.failure), now, nowMs);
  }
  next = withCustomerAction(withHold(state, next, pi, nowMs), pi);
  const early = next.earlyEvents;
  next = { ...next, earlyEvents: [] };
  for (const event of early) next = onStripeEvent(next, event, now, nowMs).state;
  return next;
}

/**
 * The Stripe events heard before the PaymentIntent was known, taken out of the state: the workflow
 * applies the PaymentIntent alone and then each of them as if it had just arrived. Its commands (a
 * search-attribute upsert per status change) then follow the order of Stripe's words, not where an
 * activation boundary fell: a create's answer and the webhooks can reach a worker in one activation
 * or in two (docs/defects/README.md). The final state is what onPaymentIntent gives.
 */
export function takeEarlyEvents(state: ChargeState): {
  readonly state: ChargeState;
  readonly early: readonly PaymentEventPayload[];
} {
  return { state: { ...state, earlyEvents: [] }, early: state.earlyEvents };
}

/**
 * The PaymentIntent the create returned. A browser charge's create confirms nothing, so nothing can
 * have been declined yet: a `last_payment_error` on it is not this charge's (stripe-mock's fixture
 * carries one) and is not read as a decline.
 */
export function onCreated(
  state: ChargeState,
  pi: PaymentIntentOutcome,
  now: string,
  nowMs: number,
): ChargeState {
  return onPaymentIntent(state, confirmedHere(state) ? pi : { ...pi, failure: null }, now, nowMs);
}

/** The create was refused for good (a decline or an invalid request): Stripe's details decide. */
export function onCreateRefused(
  state: ChargeState,
  failure: ChargeFailure,
  paymentIntentId: string | null,
  now: string,
  nowMs: number,
): ChargeState {
  // A declined confirmation leaves its PaymentIntent open at Stripe: close it before announcing.
  if (paymentIntentId !== null) {
    const withPi = startClocks({ ...state, paymentIntentId }, nowMs);
    return confirmedHere(state)
      ? { ...withPi, failure, updatedAt: now, cancel: { failure, reason: 'abandoned', endsAs: 'failed' } }
      : { ...moved(withPi, 'requires_payment_method', failure, now) };
  }
  return moved(state, 'failed', failure, now);
}

/** The create's retries ran past Stripe's key retention: look up before using a new key. */
export function onCreateWindowExhausted(state: ChargeState): ChargeState {
  return { ...state, lookupNeeded: true };
}

/** The lookup found nothing: the next create uses a new idempotency key. */
export function onLookupFoundNothing(state: ChargeState): ChargeState {
  return { ...state, lookupNeeded: false, keyGeneration: state.keyGeneration + 1 };
}

/** A look at Stripe failed for good this time (e.g. refused): try again after the backoff. */
export function onStripeUnanswered(state: ChargeState, nowMs: number): ChargeState {
  const interval = Math.min(state.checkIntervalMs * 2, state.timing.reconcile_max_interval_seconds * 1000);
  return {
    ...state,
    stripeFailuresInRow: state.stripeFailuresInRow + 1,
    reconcileNeeded: null,
    lastCheckedAt: nowMs,
    nextCheckAt: nowMs + state.checkIntervalMs,
    checkIntervalMs: interval,
  };
}

/** A reconciliation answered: the next look backs off (doubling up to the maximum). */
export function onReconciled(
  state: ChargeState,
  pi: PaymentIntentOutcome,
  now: string,
  nowMs: number,
): ChargeState {
  const after = onPaymentIntent({ ...state, reconcileNeeded: null }, pi, now, nowMs);
  const refusedCancel = state.reconcileNeeded === 'cancel_refused' && !isTerminal(after.status);
  return {
    ...after,
    cancelRefused: after.cancelRefused || refusedCancel,
    cancel: refusedCancel ? null : after.cancel,
    lastCheckedAt: nowMs,
    nextCheckAt: nowMs + state.checkIntervalMs,
    checkIntervalMs: Math.min(state.checkIntervalMs * 2, state.timing.reconcile_max_interval_seconds * 1000),
  };
}

/** Stripe accepted the cancel: the charge ends as the cancel intended. */
export function onCanceled(state: ChargeState, pi: PaymentIntentOutcome, now: string): ChargeState {
  const intent = state.cancel;
  if (intent === null) return state;
  return { ...moved(state, intent.endsAs, intent.failure, now), paymentIntentId: pi.id, cancel: null };
}

/** Stripe refused the cancel (it may have succeeded at the last moment): ask it what happened. */
export function onCancelRefused(state: ChargeState): ChargeState {
  return { ...state, reconcileNeeded: 'cancel_refused' };
}

/** The caller asked to cancel (the validator has refused it for a succeeded or failed charge). */
export function onCancelRequested(state: ChargeState): ChargeState {
  if (isTerminal(state.status) || state.cancel !== null || state.cancelRefused) return state;
  const failure = { code: 'canceled', message: "canceled at the caller's request" };
  // Asked while the PaymentIntent is being created: nextStep creates first, then cancels.
  return { ...state, cancel: { failure, reason: 'requested_by_customer', endsAs: 'canceled' } };
}

/** The clock reached a deadline with the charge still open: cancel the PaymentIntent. */
export function onDeadline(state: ChargeState, kind: 'charge' | 'requires_action'): ChargeState {
  if (isTerminal(state.status) || state.cancel !== null || state.cancelRefused) return state;
  const failure: ChargeFailure =
    kind === 'requires_action'
      ? {
          code: 'requires_action_expired',
          message: 'the customer did not complete the required action in time',
        }
      : state.status === 'requires_payment_method' && state.failure !== null
        ? state.failure
        : { code: 'charge_expired', message: 'no final outcome from Stripe before the charge deadline' };
  // A browser charge whose card was declined and never paid ends failed with that decline.
  const endsAs = kind === 'charge' && state.status === 'requires_payment_method' ? 'failed' : 'canceled';
  return { ...state, cancel: { failure, reason: 'abandoned', endsAs } };
}

export function onPublished(state: ChargeState): ChargeState {
  return { ...state, published: true };
}

/** The oldest contradiction not yet handed to the late-outcome handling, if any. */
export function contradictionToHandOver(state: ChargeState): PaymentEventPayload | undefined {
  return state.contradictions[state.contradictionsHandedOver];
}

/** One contradiction is now the late-outcome handling's (started or told). */
export function onContradictionHandedOver(state: ChargeState): ChargeState {
  return { ...state, contradictionsHandedOver: state.contradictionsHandedOver + 1 };
}

export type EventVerdict =
  | { readonly applied: true; readonly state: ChargeState }
  | {
      readonly applied: false;
      readonly state: ChargeState;
      readonly reason:
        | 'duplicate'
        | 'early'
        | 'other_payment_intent'
        | 'amount_mismatch'
        | 'not_a_status_change'
        | 'already_final'
        | 'contradicts_final'
        | 'stale';
    };

/** Applies one Stripe event at most once and never moves a charge backwards. */
export function onStripeEvent(
  state: ChargeState,
  event: PaymentEventPayload,
  now: string,
  nowMs: number,
): EventVerdict {
  if (state.seenEventIds.includes(event.stripe_event_id))
    return { applied: false, state, reason: 'duplicate' };
  if (state.paymentIntentId === null && !isTerminal(state.status)) {
    // Not yet checkable against our PaymentIntent: kept until the create answers.
    if (state.earlyEvents.some((e) => e.stripe_event_id === event.stripe_event_id)) {
      return { applied: false, state, reason: 'duplicate' };
    }
    return {
      applied: false,
      state: { ...state, earlyEvents: [...state.earlyEvents, event] },
      reason: 'early',
    };
  }
  const seen = { ...state, seenEventIds: [...state.seenEventIds, event.stripe_event_id] };
  // A valid signature proves the event is from Stripe, not that it is about *our* PaymentIntent.
  if (state.paymentIntentId !== null && event.payment_intent_id !== state.paymentIntentId) {
    return { applied: false, state: seen, reason: 'other_payment_intent' };
  }
  const word = wordOfEvent(event);
  if (word.kind === 'none') return { applied: false, state: seen, reason: 'not_a_status_change' };
  if (isTerminal(state.status)) {
    // Money taken after the charge was decided failed or canceled: Stripe's truth contradicts ours.
    const contradicts = word.kind === 'status' && word.status === 'succeeded' && state.status !== 'succeeded';
    if (!contradicts) return { applied: false, state: seen, reason: 'already_final' };
    return {
      applied: false,
      state: { ...seen, contradictions: [...seen.contradictions, event] },
      reason: 'contradicts_final',
    };
  }
  // Nor that it is about the money this charge asked for (a PaymentIntent edited in the dashboard).
  if (moneyMismatch(state.request, event) !== undefined) {
    return { applied: false, state: { ...seen, reconcileNeeded: 'other_money' }, reason: 'amount_mismatch' };
  }
  const status =
    word.kind === 'status' ? word.status : confirmedHere(state) ? 'failed' : 'requires_payment_method';
  const older =
    event.created < state.lastEventCreated ||
    (event.created === state.lastEventCreated && STAGE[status] < STAGE[state.status]);
  if (older) return { applied: false, state: seen, reason: 'stale' };
  // The event's PaymentIntent says what the customer must do now (a requires_action event brings
  // the 3-D Secure next_action); a stale or foreign event, refused above, says nothing.
  const next = withCustomerAction(withHold(state, applyWord(seen, word, now, nowMs), event, nowMs), event);
  return { applied: true, state: { ...next, lastEventCreated: event.created } };
}

/** When the hold expires, as text (a capture refused after it names it). */
export function expiryText(state: ChargeState): string {
  return state.holdExpiresAt === null ? 'an unknown time' : new Date(state.holdExpiresAt).toISOString();
}

/**
 * What Stripe said about a manual-capture charge's hold: on authorization, what can be captured and
 * until when; on success, what was captured. Automatic charges are returned unchanged.
 */
function withHold(before: ChargeState, after: ChargeState, hold: HoldOf, nowMs: number): ChargeState {
  const policy = after.capturePolicy;
  if (policy === null) return after;
  if (after.status === 'authorized') {
    const expiresAt =
      hold.capture_before !== undefined
        ? hold.capture_before * 1000
        : (after.holdExpiresAt ?? nowMs + policy.hold_default_seconds * 1000);
    return {
      ...after,
      amountCapturable: hold.amount_capturable ?? after.amountCapturable ?? after.request.amount,
      holdExpiresAt: expiresAt,
    };
  }
  if (after.status === 'succeeded' && before.status !== 'succeeded') {
    const captured =
      hold.amount_received ?? after.captureAsked ?? after.amountCapturable ?? after.request.amount;
    return { ...after, amountCaptured: captured, amountCapturable: 0 };
  }
  return after;
}

/** When the workflow acts on the hold: the policy's margin before it expires. */
export function holdDeadline(state: ChargeState): number {
  if (state.holdExpiresAt === null || state.capturePolicy === null) return Infinity;
  return state.holdExpiresAt - state.capturePolicy.expiry_margin_seconds * 1000;
}

/**
 * The caller asked to capture (the validator has checked the charge is authorized and the amount
 * capturable). A capture already decided stands: a repeat or a concurrent one joins it.
 */
export function onCaptureRequested(state: ChargeState, amount: number | undefined): ChargeState {
  if (state.status !== 'authorized' || state.captureAsked !== null || state.cancel !== null) return state;
  return {
    ...state,
    captureAsked: amount ?? state.amountCapturable ?? state.request.amount,
    captureFailure: null,
  };
}

/** Stripe captured: the charge succeeds for the captured amount. */
export function onCapturedAtStripe(
  state: ChargeState,
  pi: PaymentIntentOutcome,
  now: string,
  nowMs: number,
): ChargeState {
  const next = onPaymentIntent(state, pi, now, nowMs);
  return { ...next, captureAsked: null };
}

/** Stripe refused the capture (e.g. the hold is gone): ask it what the PaymentIntent is now. */
export function onCaptureRefused(state: ChargeState, failure: ChargeFailure): ChargeState {
  return { ...state, captureAsked: null, captureFailure: failure, reconcileNeeded: 'capture_refused' };
}

/** The hold is about to expire: void it (announced canceled) or, by the operator's choice, capture it all. */
export function onHoldExpiring(state: ChargeState): ChargeState {
  if (state.status !== 'authorized' || state.cancel !== null || state.captureAsked !== null) return state;
  if (state.capturePolicy?.on_expiry === 'capture') {
    return { ...state, captureAsked: state.amountCapturable ?? state.request.amount };
  }
  const failure: ChargeFailure = {
    code: AUTHORIZATION_EXPIRED_CODE,
    message: `the authorization expires at ${expiryText(state)}; the hold was voided before it`,
  };
  return { ...state, cancel: { failure, reason: 'abandoned', endsAs: 'canceled' } };
}

export function onAuthorizedPublished(state: ChargeState): ChargeState {
  return { ...state, authorizedPublished: true };
}

/**
 * The charge awaits its customer and has a PaymentIntent, but the workflow does not hold its
 * client_secret: a charge started before the workflow kept it (or whose create Stripe refused with a
 * PaymentIntent). Only then does loadClientSecret read it, once, through the Stripe task queue.
 */
export function needsClientSecretRead(state: ChargeState): boolean {
  return awaitsCustomer(state.status) && state.paymentIntentId !== null && state.clientSecret === null;
}

/**
 * The client_secret (and next_action) loadClientSecret read from Stripe. It fills in only what the
 * record lacks: the status stays the main loop's to move (its reconciliation, deadlines and backoff),
 * so this read can never race a step the loop is performing.
 */
export function onClientSecretRead(state: ChargeState, pi: PaymentIntentOutcome): ChargeState {
  if (pi.id !== state.paymentIntentId || state.clientSecret !== null) return state;
  return withCustomerAction(state, pi);
}

/**
 * The record as the workflow answers the gateway (the chargeState query, the awaitPaymentIntent
 * update): while the charge awaits the customer, with the client_secret and next_action (null before
 * the PaymentIntent; absent when the workflow does not hold them: needsClientSecretRead). Never once
 * the charge is processing, authorized or final, as before.
 */
export function toCallerRecord(state: ChargeState): ChargeRecord {
  const record = toChargeRecord(state);
  if (!awaitsCustomer(state.status)) return record;
  if (state.paymentIntentId === null) return { ...record, client_secret: null, next_action: null };
  if (state.clientSecret === null) return record;
  return { ...record, client_secret: state.clientSecret, next_action: state.nextAction };
}

/**
 * The record as the workflow returns it (its result, the cancel and capture answers) and publishes it
 * on Kafka: never the customer's client_secret or next_action.
 */
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
    ...(state.capturePolicy !== null
      ? {
          capture: {
            capture_method: 'manual',
            amount_capturable: state.amountCapturable,
            authorization_expires_at:
              state.holdExpiresAt === null ? null : new Date(state.holdExpiresAt).toISOString(),
            amount_captured: state.amountCaptured,
          },
        }
      : {}),
  };
}
