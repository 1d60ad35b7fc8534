/**
 * The dispute's "current details" for the Temporal Web UI (setCurrentDetails): what an operator who
 * opened the dispute needs at a glance: whose it is, what Stripe says, what is due and by when, what
 * happened to the money, and what the workflow does next. Markdown, as the UI renders it. Pure.
 */
import { disputeNeedsResponse } from '../contracts/dispute';
import { formatAmount } from '../contracts/currency';
import { disputeMoneyMismatch, evidenceWarningAt, lingerEndsAt, type DisputeState } from './dispute-state';
import type { DisputeTiming } from '../contracts/dispute';

export type DisputeActivity =
  | { readonly kind: 'finding_owner' }
  | { readonly kind: 'publishing'; readonly change: string; readonly topic: string }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'ended' };

const at = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function ownerLine(state: DisputeState): string {
  const { owner } = state;
  const pi = state.paymentIntentId ?? 'none';
  switch (owner.kind) {
    case 'unknown':
      return `not known yet (asking Stripe for PaymentIntent ${pi})`;
    case 'ours':
      return `order ${owner.order_id} (charge event_id ${owner.event_id}, PaymentIntent ${pi})`;
    case 'not_ours':
      return `not a charge of this service (${owner.reason.replace(/_/g, ' ')}; PaymentIntent ${pi})`;
  }
}

function evidenceLine(state: DisputeState, nowMs: number): string {
  if (state.evidenceDueBy === null) return 'none asked for';
  const due = at(state.evidenceDueBy * 1000);
  if (!disputeNeedsResponse(state.status)) {
    return state.evidenceSubmissions > 0
      ? `submitted (was due ${due})`
      : `not asked for now (was due ${due})`;
  }
  const overdue = nowMs >= state.evidenceDueBy * 1000;
  return overdue
    ? `**OVERDUE** since ${due}: not submitted, the dispute will be lost`
    : `**due by ${due}**, not submitted yet: answer in the Stripe Dashboard (Disputes) before then, or the dispute is lost`;
}

function fundsLine(state: DisputeState): string {
  if (state.fundsReinstated) return 'withdrawn, then reinstated';
  if (state.fundsWithdrawn) return 'withdrawn from the balance (amount plus the dispute fee)';
  return 'not withdrawn';
}

function nextLine(state: DisputeState, timing: DisputeTiming, activity: DisputeActivity): string {
  switch (activity.kind) {
    case 'finding_owner':
      return 'reading the PaymentIntent from Stripe to find the order';
    case 'publishing':
      return `publishing "${activity.change}" to ${activity.topic}`;
    case 'ended':
      return 'nothing: the workflow has ended';
    case 'waiting': {
      const warnAt = evidenceWarningAt(state, timing);
      const endAt = lingerEndsAt(state, timing);
      if (warnAt !== undefined) return `waiting for Stripe's events; logs a warning at ${at(warnAt)}`;
      if (endAt !== undefined) return `closed; takes late events until ${at(endAt)}`;
      return "waiting for Stripe's events";
    }
  }
}

export function disputeDetails(
  state: DisputeState,
  nowMs: number,
  timing: DisputeTiming,
  activity: DisputeActivity,
): string {
  const money =
    state.amount !== null && state.currency !== null ? formatAmount(state.amount, state.currency) : 'unknown';
  const lines = [
    `- **Dispute:** ${state.disputeId} for ${money} (reason: ${state.reason ?? 'unknown'})`,
    `- **Status:** ${state.status ?? 'unknown'}`,
    `- **Owner:** ${ownerLine(state)}`,
    `- **Evidence:** ${evidenceLine(state, nowMs)}`,
    `- **Funds:** ${fundsLine(state)}`,
  ];
  const mismatch = disputeMoneyMismatch(state);
  if (mismatch !== undefined) lines.push(`- **Money check:** FLAGGED: ${mismatch}`);
  lines.push(`- **Announced:** ${state.announced.length > 0 ? state.announced.join(', ') : 'nothing yet'}`);
  lines.push(`- **Next:** ${nextLine(state, timing, activity)}`);
  return lines.join('\n');
}
