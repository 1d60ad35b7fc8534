/**
 * Everything a client needs to talk to ChargeWorkflow, importable without pulling in workflow code:
 * signal and query definitions, the signal's payload, and the typed search-attribute keys.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChargeFailure, ChargeRecord } from '../contracts/charge';
import type { RefundAnswer, RefundRecord, RefundRequest, RefundStatus } from '../contracts/refund';

/** The part of a verified Stripe event the workflow needs; the receiver never forwards the raw body. */
export interface StripeEventPayload {
  /** Stripe's event id (evt_…): the unit of deduplication. */
  readonly stripe_event_id: string;
  readonly type: string;
  /** Stripe's `created` (unix seconds): orders events that arrive out of order. */
  readonly created: number;
  readonly payment_intent_id: string;
  readonly payment_intent_status: string;
  readonly failure: ChargeFailure | null;
}

export const stripeEventSignal = defineSignal<[StripeEventPayload]>('stripeEvent');
export const chargeStateQuery = defineQuery<ChargeRecord>('chargeState');

/** Cancels a charge that has not succeeded; rejected (validator) once it has: refund instead. */
export const cancelChargeUpdate = defineUpdate<ChargeRecord, []>('cancelCharge');

/** A refund outcome from a verified refund.* / charge.refunded webhook. */
export interface RefundEventPayload {
  readonly stripe_event_id: string;
  readonly refund_id: string;
  readonly stripe_refund_id: string;
  readonly status: RefundStatus;
  readonly failure: ChargeFailure | null;
}

export const refundUpdate = defineUpdate<RefundAnswer, [RefundRequest]>('refund');
export const refundEventSignal = defineSignal<[RefundEventPayload]>('refundEvent');
export interface RefundsState {
  readonly refunds: readonly RefundRecord[];
  readonly refunded_amount: number;
}
export const refundsQuery = defineQuery<RefundsState>('refunds');

export const OrderIdSearchAttribute = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const EventIdSearchAttribute = defineSearchAttributeKey('EventId', SearchAttributeType.KEYWORD);
export const ChargeStatusSearchAttribute = defineSearchAttributeKey(
  'ChargeStatus',
  SearchAttributeType.KEYWORD,
);
export const PaymentIntentIdSearchAttribute = defineSearchAttributeKey(
  'PaymentIntentId',
  SearchAttributeType.KEYWORD,
);
export const AmountMinorSearchAttribute = defineSearchAttributeKey('AmountMinor', SearchAttributeType.INT);
export const CurrencySearchAttribute = defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD);
export const RefundedMinorSearchAttribute = defineSearchAttributeKey(
  'RefundedMinor',
  SearchAttributeType.INT,
);

/** Names and types the local stack, compose and kind register with the server (kept in one place). */
export const CHARGE_SEARCH_ATTRIBUTES = [
  OrderIdSearchAttribute,
  EventIdSearchAttribute,
  ChargeStatusSearchAttribute,
  PaymentIntentIdSearchAttribute,
  AmountMinorSearchAttribute,
  CurrencySearchAttribute,
  RefundedMinorSearchAttribute,
] as const;
