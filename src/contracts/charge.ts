/** The charge as callers, the workflow and the Kafka record all name it. Pure types: safe in workflows. */

export const CHARGE_STATUSES = [
  'pending',
  'processing',
  'requires_action',
  /**
   * A browser-confirmed charge whose last attempt was declined: the customer may try another payment
   * method (the record's `failure` is the decline) until the charge's deadline.
   */
  'requires_payment_method',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/** `A-Za-z0-9._:-`, as the dispatcher's event ids are; it also makes a safe workflow id. */
export const EVENT_ID_PATTERN = '^[A-Za-z0-9._:-]{1,200}$';

export const TERMINAL_STATUSES: readonly ChargeStatus[] = ['succeeded', 'failed', 'canceled'];

export function isTerminal(status: ChargeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * The statuses in which the charge waits for the customer's browser (Stripe.js confirms the
 * PaymentIntent, or acts on its next_action): only then does the gateway hand out the client_secret.
 */
export const CUSTOMER_STATUSES: readonly ChargeStatus[] = [
  'pending',
  'requires_action',
  'requires_payment_method',
];

export function awaitsCustomer(status: ChargeStatus): boolean {
  return CUSTOMER_STATUSES.includes(status);
}

/** The validated body of POST /charge, with `currency` already lowercased. */
export interface ChargeRequest {
  readonly event_id: string;
  readonly order_id: string;
  readonly amount: number;
  readonly currency: string;
  readonly customer_id?: string;
  readonly payment_method?: string;
  /**
   * Where the customer's bank sends the browser back after a redirect-based authentication; passed to
   * Stripe with the confirmation, so only with `payment_method` (https).
   */
  readonly return_url?: string;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ChargeFailure {
  readonly code: string;
  readonly message: string;
  readonly decline_code?: string;
}

/** What GET /charges/:event_id answers and what the workflow returns when it ends. */
export interface ChargeRecord {
  readonly event_id: string;
  readonly order_id: string;
  readonly status: ChargeStatus;
  readonly amount: number;
  readonly currency: string;
  readonly payment_intent_id: string | null;
  readonly failure: ChargeFailure | null;
  readonly updated_at: string;
}

export interface ChargeWorkflowInput {
  readonly request: ChargeRequest;
  /** Canonical hash of the request: a repeated event_id with another payload is a dispatcher bug (409). */
  readonly payload_hash: string;
  /** Fixed at start so a charge keeps the timing it began with; defaults when absent. */
  readonly timing?: ChargeTiming;
}

// Its home is workflow-ids.ts, beside the parser; re-exported here for the many callers that build it.
export { chargeWorkflowId } from './workflow-ids';

/**
 * The same string on every attempt and every worker, so Stripe deduplicates retried creates. A new
 * generation is used only after Stripe's 24 h key retention, and only once a lookup found nothing.
 */
export function paymentIntentIdempotencyKey(eventId: string, generation = 1): string {
  const base = `payments:create-payment-intent:${eventId}`;
  return generation === 1 ? base : `${base}:g${generation}`;
}

/** Why a charge's PaymentIntent is canceled at Stripe (Stripe's own reasons; the cancel's idempotency key names it). */
export const CANCELLATION_REASONS = [
  'abandoned',
  'duplicate',
  'fraudulent',
  'requested_by_customer',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/**
 * One key per charge and cancellation reason: Stripe answers a key reused with other parameters
 * with the first request's answer (or refuses it), so a second cancel with another reason must not
 * share the first one's key. Retries of one cancel keep theirs.
 */
export function cancelIdempotencyKey(eventId: string, reason: CancellationReason): string {
  return `payments:cancel-payment-intent:${eventId}:${reason}`;
}

/** How long a charge waits for Stripe before asking it, and how long it may stay open at all. */
export interface ChargeTiming {
  /** First reconciliation (retrieve the PaymentIntent) after this long without a final webhook. */
  readonly reconcile_after_seconds: number;
  /** Reconciliation backs off (doubling) up to this interval. */
  readonly reconcile_max_interval_seconds: number;
  /** After this long waiting, the PaymentIntent is canceled and the charge ends `canceled`. */
  readonly reconcile_deadline_seconds: number;
  /** How long a charge may wait in requires_action for the customer (3-D Secure) before it is canceled. */
  readonly requires_action_window_seconds: number;
}

export const DEFAULT_CHARGE_TIMING: ChargeTiming = {
  reconcile_after_seconds: 10 * 60,
  reconcile_max_interval_seconds: 60 * 60,
  reconcile_deadline_seconds: 72 * 60 * 60,
  requires_action_window_seconds: 23 * 60 * 60,
};

/** Failure types the cancel update's validator raises; the gateway answers 409 with a hint. */
export const CHARGE_ALREADY_SUCCEEDED = 'ChargeAlreadySucceeded';
export const CHARGE_ALREADY_FAILED = 'ChargeAlreadyFailed';
