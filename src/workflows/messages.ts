/**
 * Everything a client needs to talk to the workflows (charge, refunds, dispute), importable without
 * pulling in workflow code: signal, query and update definitions and the typed search-attribute keys
 * (the signals' payloads are contracts: src/contracts/payment-provider.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaptureRequest, ChargeRecord } from '../contracts/charge';
import type { DisputeRecord } from '../contracts/dispute';
import type {
  DisputeEventPayload,
  PaymentEventPayload,
  RefundEventPayload,
} from '../contracts/payment-provider';
import type { RefundAnswer, RefundRecord, RefundRequest } from '../contracts/refund';

export const stripeEventSignal = defineSignal<[PaymentEventPayload]>('stripeEvent');
export const chargeStateQuery = defineQuery<ChargeRecord>('chargeState');
/** A verified Stripe event about a closed charge that contradicts its announcement (LateOutcomeWorkflow). */
export const lateStripeEventSignal = defineSignal<[PaymentEventPayload]>('lateStripeEvent');

/**
 * Answers once the charge's PaymentIntent exists (or the charge has ended without one) with the
 * charge's record: the gateway's early answer to POST /charge with `Prefer: wait=N`, sent with the
 * start (update-with-start) or to a running charge. It changes nothing. The record it returns, kept
 * in history (encrypted by the payload codec), carries the client_secret and next_action while the
 * charge awaits the customer, as the chargeState query does: the gateway asks Stripe nothing.
 */
export const awaitPaymentIntentUpdate = defineUpdate<ChargeRecord, []>('awaitPaymentIntent');

/**
 * Transitional, for charges started before the workflow kept the client_secret (its record awaits the
 * customer, has a PaymentIntent, and no client_secret): the workflow reads the PaymentIntent once with
 * its retrieve activity on the rate-limited Stripe task queue, keeps the secret, and answers the
 * record with it. Concurrent calls share the one read; once held, queries answer. A charge that holds
 * it answers at once without reading. Remove once no charge started before it can be open.
 */
export const loadClientSecretUpdate = defineUpdate<ChargeRecord, []>('loadClientSecret');

/** Cancels a charge that has not succeeded; rejected (validator) once it has: refund instead. */
export const cancelChargeUpdate = defineUpdate<ChargeRecord, []>('cancelCharge');

/**
 * Captures an authorized (manual-capture) charge, all or part of the hold; answers with the succeeded
 * charge. Idempotent: a repeat or a concurrent capture joins the first (one capture at Stripe).
 * Refused (validator) for a charge that is not authorized, above the capturable amount, or after expiry.
 */
export const captureChargeUpdate = defineUpdate<ChargeRecord, [CaptureRequest]>('captureCharge');

export const refundUpdate = defineUpdate<RefundAnswer, [RefundRequest]>('refund');
export const refundEventSignal = defineSignal<[RefundEventPayload]>('refundEvent');
export interface RefundsState {
  readonly refunds: readonly RefundRecord[];
  readonly refunded_amount: number;
}
export const refundsQuery = defineQuery<RefundsState>('refunds');

/** A verified charge.dispute.* event, sent with the dispute workflow's start (signal-with-start). */
export const disputeEventSignal = defineSignal<[DisputeEventPayload]>('disputeEvent');
export const disputeStateQuery = defineQuery<DisputeRecord>('disputeState');

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
/** Why a charge ended failed or canceled (e.g. amount_mismatch, which an operator must settle at Stripe). */
export const ChargeFailureCodeSearchAttribute = defineSearchAttributeKey(
  'ChargeFailureCode',
  SearchAttributeType.KEYWORD,
);
export const RefundedMinorSearchAttribute = defineSearchAttributeKey(
  'RefundedMinor',
  SearchAttributeType.INT,
);

/** Stripe's status of a dispute of ours (needs_response, under_review, won, lost, …). */
export const DisputeStatusSearchAttribute = defineSearchAttributeKey(
  'DisputeStatus',
  SearchAttributeType.KEYWORD,
);
/** When the dispute's evidence is due (Stripe's evidence_details.due_by). */
export const DisputeEvidenceDueBySearchAttribute = defineSearchAttributeKey(
  'DisputeEvidenceDueBy',
  SearchAttributeType.DATETIME,
);

/**
 * When the workflow acts on a manual-capture charge's hold (void or capture): the authorization's
 * expiry less the margin. Set once the charge is authorized.
 */
export const AuthorizationExpiresAtSearchAttribute = defineSearchAttributeKey(
  'AuthorizationExpiresAt',
  SearchAttributeType.DATETIME,
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
  ChargeFailureCodeSearchAttribute,
  DisputeStatusSearchAttribute,
  DisputeEvidenceDueBySearchAttribute,
  AuthorizationExpiresAtSearchAttribute,
] as const;
