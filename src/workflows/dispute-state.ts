/**
 * The dispute's state machine, free of Temporal so it can be tested alone (and by property). The
 * dispute workflow owns one `DisputeState`, feeds it the Stripe events it is signalled and the owner
 * it found through the PaymentIntent, and asks `nextStep` what to do.
 *
 * Stripe delivers each event at least once and in no promised order. Two kinds of knowledge are kept
 * apart for that reason:
 * - facts that only ever become true (funds withdrawn, funds reinstated, evidence submitted): taken
 *   from every new event, however late it is;
 * - the dispute's current picture (status, reason, amount, evidence due time): taken only from an
 *   event newer than the one it came from (by Stripe's `created`, then by stage within one second).
 * Each change the platform hears about is announced once, in lifecycle order (DISPUTE_CHANGE_RANK).
 */
import {
  DISPUTE_CHANGES,
  disputeNeedsResponse,
  isDisputeClosed,
  type DisputeChange,
  type DisputeEventV1,
  type DisputeOwner,
  type DisputeRecord,
  type DisputeTiming,
  type DisputeWorkflowInput,
} from '../contracts/dispute';
import { formatAmount } from '../contracts/currency';
import type { DisputeEventPayload } from '../contracts/payment-provider';

export interface DisputeState {
  readonly disputeId: string;
  readonly paymentIntentId: string | null;
  readonly chargeId: string | null;
  readonly owner: DisputeOwner;
  /** Null until the first event is applied. */
  readonly status: string | null;
  readonly reason: string | null;
  readonly amount: number | null;
  readonly currency: string | null;
  /** evidence_details.due_by (unix seconds). */
  readonly evidenceDueBy: number | null;
  readonly evidenceSubmissions: number;
  readonly fundsWithdrawn: boolean;
  readonly fundsReinstated: boolean;
  /**
   * For each change, the earliest event that showed it: its Stripe `created` (unix seconds) and the
   * dispute's status then, which the change's record reports however late it is published.
   */
  readonly seenAt: Readonly<
    Partial<Record<DisputeChange, { readonly created: number; readonly status: string }>>
  >;
  readonly announced: readonly DisputeChange[];
  /** Workflow time (ms) since which the dispute is closed; null while open. */
  readonly closedSince: number | null;
  /** The due time (unix seconds) the evidence warning was given for: once per due time. */
  readonly warnedFor: number | null;
  /** Stripe event ids already applied or refused: Stripe delivers at least once. */
  readonly seenEventIds: readonly string[];
  /** `created` of the event the current picture comes from. */
  readonly lastEventCreated: number;
  /** Bumped by every change, so the workflow can wait for "anything new". */
  readonly revision: number;
  /** Workflow time (ms) of the last change. */
  readonly updatedAt: number;
}

export function initialDisputeState(input: DisputeWorkflowInput, nowMs: number): DisputeState {
  return {
    disputeId: input.dispute_id,
    paymentIntentId: input.payment_intent_id,
    chargeId: input.charge_id,
    owner: { kind: 'unknown' },
    status: null,
    reason: null,
    amount: null,
    currency: null,
    evidenceDueBy: null,
    evidenceSubmissions: 0,
    fundsWithdrawn: false,
    fundsReinstated: false,
    seenAt: {},
    announced: [],
    closedSince: null,
    warnedFor: null,
    seenEventIds: [],
    lastEventCreated: 0,
    revision: 0,
    updatedAt: nowMs,
  };
}

/**
 * Within one `created` second the order of Stripe's events is unknown: the later stage wins. An
 * inquiry (warning_*) can become a chargeback; a lost dispute can be appealed. Unknown statuses
 * (Stripe adds some) rank lowest, so a known one is never overwritten by them at equal time.
 */
const STAGE: Readonly<Record<string, number>> = {
  warning_needs_response: 1,
  warning_under_review: 2,
  warning_closed: 3,
  needs_response: 4,
  under_review: 5,
  won: 6,
  lost: 6,
  prevented: 6,
  appeal_needs_response: 7,
  appeal_under_review: 8,
};
const stageOf = (status: string | null): number => (status === null ? -1 : (STAGE[status] ?? 0));

export type DisputeEventVerdict =
  | { readonly applied: true; readonly state: DisputeState; readonly stale: boolean }
  | {
      readonly applied: false;
      readonly state: DisputeState;
      readonly reason: 'duplicate' | 'other_dispute' | 'other_payment_intent';
    };

/** Which changes an event shows, by itself (funds reinstated means they had been withdrawn). */
function factsOf(event: DisputeEventPayload): DisputeChange[] {
  const facts: DisputeChange[] = ['opened'];
  if (event.funds_withdrawn || event.funds_reinstated) facts.push('funds_withdrawn');
  if (event.funds_reinstated) facts.push('funds_reinstated');
  if (isDisputeClosed(event.status)) facts.push('closed');
  return facts;
}

/** Applies one Stripe event at most once; a late event adds its facts but never rolls the picture back. */
export function applyDisputeEvent(
  state: DisputeState,
  event: DisputeEventPayload,
  nowMs: number,
): DisputeEventVerdict {
  if (state.seenEventIds.includes(event.stripe_event_id))
    return { applied: false, state, reason: 'duplicate' };
  const seen = { ...state, seenEventIds: [...state.seenEventIds, event.stripe_event_id] };
  if (event.dispute_id !== state.disputeId) return { applied: false, state: seen, reason: 'other_dispute' };
  // A valid signature proves the event is Stripe's, not that it is about the PaymentIntent this
  // dispute was opened on: the order it was matched to must not change under it.
  if (
    state.paymentIntentId !== null &&
    event.payment_intent_id !== null &&
    event.payment_intent_id !== state.paymentIntentId
  ) {
    return { applied: false, state: seen, reason: 'other_payment_intent' };
  }

  const seenAt = { ...seen.seenAt };
  for (const fact of factsOf(event)) {
    const known = seenAt[fact];
    if (known === undefined || event.created < known.created)
      seenAt[fact] = { created: event.created, status: event.status };
  }
  let next: DisputeState = {
    ...seen,
    paymentIntentId: seen.paymentIntentId ?? event.payment_intent_id,
    chargeId: seen.chargeId ?? event.charge_id,
    fundsWithdrawn: seen.fundsWithdrawn || event.funds_withdrawn || event.funds_reinstated,
    fundsReinstated: seen.fundsReinstated || event.funds_reinstated,
    evidenceSubmissions: Math.max(seen.evidenceSubmissions, event.evidence_submission_count),
    seenAt,
    revision: seen.revision + 1,
    updatedAt: nowMs,
  };

  const newer =
    event.created > state.lastEventCreated ||
    (event.created === state.lastEventCreated && stageOf(event.status) >= stageOf(state.status));
  if (!newer) return { applied: true, state: next, stale: true };
  const closedNow = isDisputeClosed(event.status);
  next = {
    ...next,
    status: event.status,
    reason: event.reason,
    amount: event.amount,
    currency: event.currency.toLowerCase(),
    evidenceDueBy: event.evidence_due_by,
    lastEventCreated: event.created,
    closedSince: closedNow ? (state.closedSince ?? nowMs) : null,
  };
  return { applied: true, state: next, stale: false };
}

/** Records whose dispute this is, as the PaymentIntent's metadata says. */
export function withOwner(state: DisputeState, owner: DisputeOwner, nowMs: number): DisputeState {
  return { ...state, owner, revision: state.revision + 1, updatedAt: nowMs };
}

/**
 * Why the dispute speaks of other money than the charge, or undefined. A dispute may be for less
 * than the charge (a partial dispute); more than it, or another currency, is not believed blindly.
 */
export function disputeMoneyMismatch(state: DisputeState): string | undefined {
  const { owner } = state;
  if (owner.kind !== 'ours' || state.amount === null || state.currency === null) return undefined;
  const chargeCurrency = owner.currency?.toLowerCase();
  const otherCurrency = chargeCurrency !== undefined && state.currency !== chargeCurrency;
  const moreThanCharged = owner.amount !== undefined && !otherCurrency && state.amount > owner.amount;
  if (!otherCurrency && !moreThanCharged) return undefined;
  const charged =
    owner.amount !== undefined && chargeCurrency !== undefined
      ? formatAmount(owner.amount, chargeCurrency)
      : 'an unknown amount';
  return `Stripe disputes ${formatAmount(state.amount, state.currency)}; the charge was ${charged}`;
}

/** Whether the change has happened, as far as the state knows. */
function hasHappened(state: DisputeState, change: DisputeChange): boolean {
  switch (change) {
    case 'opened':
      return state.status !== null;
    case 'funds_withdrawn':
      return state.fundsWithdrawn;
    case 'closed':
      return isDisputeClosed(state.status);
    case 'funds_reinstated':
      return state.fundsReinstated;
  }
}

/** The next change to announce (DISPUTE_CHANGES is in lifecycle order), or undefined. */
export function nextAnnouncement(state: DisputeState): DisputeChange | undefined {
  return DISPUTE_CHANGES.find((c) => hasHappened(state, c) && !state.announced.includes(c));
}

export function markAnnounced(state: DisputeState, change: DisputeChange): DisputeState {
  if (state.announced.includes(change)) return state;
  return { ...state, announced: [...state.announced, change], revision: state.revision + 1 };
}

/** When the evidence warning is due (workflow ms), while the dispute still asks for evidence. */
export function evidenceWarningAt(state: DisputeState, timing: DisputeTiming): number | undefined {
  if (!disputeNeedsResponse(state.status) || state.evidenceDueBy === null) return undefined;
  if (state.warnedFor === state.evidenceDueBy) return undefined;
  return (state.evidenceDueBy - timing.evidence_warning_seconds) * 1000;
}

export function markWarned(state: DisputeState): DisputeState {
  return { ...state, warnedFor: state.evidenceDueBy, revision: state.revision + 1 };
}

/** When a closed dispute's workflow ends (workflow ms), or undefined while it is open. */
export function lingerEndsAt(state: DisputeState, timing: DisputeTiming): number | undefined {
  return state.closedSince === null
    ? undefined
    : state.closedSince + timing.linger_after_close_seconds * 1000;
}

export type DisputeStep =
  | { readonly kind: 'find_owner' }
  | { readonly kind: 'announce'; readonly change: DisputeChange }
  | { readonly kind: 'warn_evidence_due' }
  | { readonly kind: 'wait'; readonly until: number | undefined }
  | { readonly kind: 'end' };

/**
 * What the workflow does next. Nothing is announced before the owner is known (the record's key is
 * the order); a dispute that is not ours ends at once; a closed one lingers for late events.
 */
export function nextStep(state: DisputeState, nowMs: number, timing: DisputeTiming): DisputeStep {
  if (state.owner.kind === 'unknown') return { kind: 'find_owner' };
  if (state.owner.kind === 'not_ours') return { kind: 'end' };
  const change = nextAnnouncement(state);
  if (change !== undefined) return { kind: 'announce', change };
  const warnAt = evidenceWarningAt(state, timing);
  if (warnAt !== undefined && nowMs >= warnAt) return { kind: 'warn_evidence_due' };
  const endAt = lingerEndsAt(state, timing);
  if (endAt !== undefined && nowMs >= endAt) return { kind: 'end' };
  const times = [warnAt, endAt].filter((t): t is number => t !== undefined);
  return { kind: 'wait', until: times.length > 0 ? Math.min(...times) : undefined };
}

const isoOfSeconds = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

export function toDisputeRecord(state: DisputeState): DisputeRecord {
  const ours = state.owner.kind === 'ours' ? state.owner : undefined;
  return {
    dispute_id: state.disputeId,
    event_id: ours?.event_id ?? null,
    order_id: ours?.order_id ?? null,
    payment_intent_id: state.paymentIntentId,
    charge_id: state.chargeId,
    status: state.status,
    reason: state.reason,
    amount: state.amount,
    currency: state.currency,
    evidence_due_by: isoOfSeconds(state.evidenceDueBy),
    evidence_submitted: state.evidenceSubmissions > 0,
    funds_withdrawn: state.fundsWithdrawn,
    funds_reinstated: state.fundsReinstated,
    outcome: isDisputeClosed(state.status) ? state.status : null,
    money_mismatch: disputeMoneyMismatch(state) ?? null,
    updated_at: new Date(state.updatedAt).toISOString(),
  };
}

/** The Kafka record announcing `change`; undefined unless the dispute is ours and has happened. */
export function disputeEventOf(state: DisputeState, change: DisputeChange): DisputeEventV1 | undefined {
  const { owner } = state;
  if (owner.kind !== 'ours' || state.status === null || state.amount === null || state.currency === null)
    return undefined;
  const seen = state.seenAt[change] ?? { created: state.lastEventCreated, status: state.status };
  return {
    event_id: owner.event_id,
    order_id: owner.order_id,
    dispute_id: state.disputeId,
    payment_intent_id: state.paymentIntentId,
    charge_id: state.chargeId,
    change,
    status: seen.status,
    reason: state.reason,
    amount: state.amount,
    currency: state.currency,
    evidence_due_by: isoOfSeconds(state.evidenceDueBy),
    funds_withdrawn: state.fundsWithdrawn,
    funds_reinstated: state.fundsReinstated,
    outcome: isDisputeClosed(state.status) ? state.status : null,
    money_mismatch: disputeMoneyMismatch(state) ?? null,
    occurred_at: new Date(seen.created * 1000).toISOString(),
  };
}
