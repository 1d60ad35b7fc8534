/**
 * The refunds of one charge, free of Temporal so it can be unit-tested alone. One ledger per charge
 * serialises the remainder arithmetic: two refunds can never both spend the same remainder.
 */
import type { ChargeFailure } from '../contracts/charge';
import type { RefundReason, RefundRecord, RefundRequest, RefundStatus } from '../contracts/refund';

export interface RefundLedger {
  readonly chargeAmount: number;
  readonly refunds: readonly (RefundRecord & { readonly requested: RefundRequest })[];
}

export type RefundDecision =
  | { readonly kind: 'new'; readonly amount: number; readonly reason: RefundReason | null }
  | { readonly kind: 'duplicate'; readonly refund: RefundRecord }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'exceeds'; readonly message: string };

/** Refunds that hold (or may still hold) money back: only a failed or canceled one frees its amount. */
export function refundedOrPending(ledger: RefundLedger): number {
  return ledger.refunds
    .filter((r) => r.status === 'pending' || r.status === 'succeeded')
    .reduce((n, r) => n + r.amount, 0);
}

export function refundedTotal(ledger: RefundLedger): number {
  return ledger.refunds.filter((r) => r.status === 'succeeded').reduce((n, r) => n + r.amount, 0);
}

export function remaining(ledger: RefundLedger): number {
  return ledger.chargeAmount - refundedOrPending(ledger);
}

function sameRequest(a: RefundRequest, b: RefundRequest): boolean {
  return a.amount === b.amount && a.reason === b.reason;
}

export function decideRefund(ledger: RefundLedger, request: RefundRequest): RefundDecision {
  const existing = ledger.refunds.find((r) => r.refund_id === request.refund_id);
  if (existing) {
    return sameRequest(existing.requested, request)
      ? { kind: 'duplicate', refund: publicRefund(existing) }
      : {
          kind: 'conflict',
          message: `refund_id ${request.refund_id} was already used with a different body`,
        };
  }
  const left = remaining(ledger);
  const amount = request.amount ?? left;
  if (amount < 1 || amount > left) {
    return { kind: 'exceeds', message: `refund of ${amount} exceeds the refundable remainder of ${left}` };
  }
  return { kind: 'new', amount, reason: request.reason ?? null };
}

export function addRefund(
  ledger: RefundLedger,
  request: RefundRequest,
  amount: number,
  now: string,
): RefundLedger {
  const refund = {
    refund_id: request.refund_id,
    amount,
    reason: request.reason ?? null,
    status: 'pending' as const,
    stripe_refund_id: null,
    failure: null,
    updated_at: now,
    requested: request,
  };
  return { ...ledger, refunds: [...ledger.refunds, refund] };
}

const FINAL: readonly RefundStatus[] = ['succeeded', 'failed', 'canceled'];

/** Applies Stripe's word on one refund; a final refund never changes again. */
export function updateRefund(
  ledger: RefundLedger,
  refundId: string,
  change: { status: RefundStatus; stripe_refund_id: string | null; failure: ChargeFailure | null },
  now: string,
): { ledger: RefundLedger; becameFinal: boolean } {
  let becameFinal = false;
  const refunds = ledger.refunds.map((r) => {
    if (r.refund_id !== refundId || FINAL.includes(r.status)) return r;
    becameFinal = FINAL.includes(change.status);
    return {
      ...r,
      status: change.status,
      stripe_refund_id: change.stripe_refund_id ?? r.stripe_refund_id,
      failure: change.failure,
      updated_at: now,
    };
  });
  return { ledger: { ...ledger, refunds }, becameFinal };
}

export function publicRefund(refund: RefundLedger['refunds'][number]): RefundRecord {
  const { requested: _requested, ...record } = refund;
  return record;
}
