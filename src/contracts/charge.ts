/** The charge as callers, the workflow and the Kafka record all name it. Pure types: safe in workflows. */
import type { LateSuccessPolicy } from './late-outcome';

export const CHARGE_STATUSES = [
  'pending',
  'processing',
  'requires_action',
  /**
   * A browser-confirmed charge whose last attempt was declined: the customer may try another payment
   * method (the record's `failure` is the decline) until the charge's deadline.
   */
  'requires_payment_method',
  /**
   * A manual-capture charge whose card is authorized (Stripe: `requires_capture`): the money is held
   * until it is captured (POST /charges/{event_id}/capture), voided (cancel) or the hold expires.
   */
  'authorized',
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
 * PaymentIntent, or acts on its next_action): only then does the workflow's record carry the
 * client_secret (and the gateway hand it out).
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
  /**
   * `manual`: authorize now, capture later (POST /charges/{event_id}/capture). Absent means automatic
   * (the gateway drops an explicit `automatic`, so both hash and run exactly as before).
   */
  readonly capture?: CaptureMethod;
}

export const CAPTURE_METHODS = ['automatic', 'manual'] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

/** Whether the charge authorizes first and is captured later. */
export function isManualCapture(request: ChargeRequest): boolean {
  return request.capture === 'manual';
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
  /** Manual-capture charges only (absent on automatic ones): the hold and what became of it. */
  readonly capture?: CaptureRecord;
  /**
   * Only in the workflow's answers to the gateway (the chargeState query, the awaitPaymentIntent
   * update) and only while the charge awaits the customer (`awaitsCustomer`): the PaymentIntent's
   * client_secret, null until the PaymentIntent exists. Absent there too when the workflow does not
   * hold it (a charge started before the workflow kept it): the gateway then asks the workflow to read
   * it (loadClientSecret). Never in the workflow's result, the cancel or capture answers, or Kafka.
   */
  readonly client_secret?: string | null;
  /** With client_secret: the PaymentIntent's next_action as the provider returns it, or null. */
  readonly next_action?: Readonly<Record<string, unknown>> | null;
}

/** A manual-capture charge's hold, as GET /charges/:event_id shows it. */
export interface CaptureRecord {
  readonly capture_method: 'manual';
  /** What can still be captured (minor units); null before the card is authorized. */
  readonly amount_capturable: number | null;
  /** When the hold is released by the card network (Stripe's capture_before, or the conservative default). */
  readonly authorization_expires_at: string | null;
  /** What was captured, once the charge succeeded. */
  readonly amount_captured: number | null;
}

/** What a manual-capture charge does about its hold's expiry; fixed at start (the workflow cannot read config). */
export interface CapturePolicy {
  /** The hold's lifetime when Stripe does not say (capture_before): 6 days 12 hours by default. */
  readonly hold_default_seconds: number;
  /** How long before the expiry the workflow acts. */
  readonly expiry_margin_seconds: number;
  /** `void` (cancel the PaymentIntent, announce canceled) or `capture` (capture all of it). */
  readonly on_expiry: 'void' | 'capture';
}

export const CAPTURE_ON_EXPIRY = ['void', 'capture'] as const;

export const DEFAULT_CAPTURE_POLICY: CapturePolicy = {
  hold_default_seconds: 6 * 86_400 + 12 * 3_600,
  expiry_margin_seconds: 6 * 3_600,
  on_expiry: 'void',
};

/** One capture per charge, ever: retries and repeats reuse the key, so Stripe captures once. */
export function captureIdempotencyKey(eventId: string): string {
  return `payments:capture-payment-intent:${eventId}`;
}

/** The capture update's body. */
export interface CaptureRequest {
  /** Minor units; defaults to everything capturable. The rest of the hold is released. */
  readonly amount?: number;
}

/** Failure types the capture update raises; the gateway maps them (src/api/errors.ts). */
export const CHARGE_NOT_AUTHORIZED = 'ChargeNotAuthorized';
export const CAPTURE_EXCEEDS_CAPTURABLE = 'CaptureExceedsCapturable';
export const AUTHORIZATION_EXPIRED = 'AuthorizationExpired';
export const CAPTURE_REFUSED = 'CaptureRefused';
/** The failure code of a manual-capture charge whose hold expired (voided by us or released by Stripe). */
export const AUTHORIZATION_EXPIRED_CODE = 'authorization_expired';

export interface ChargeWorkflowInput {
  readonly request: ChargeRequest;
  /** Canonical hash of the request: a repeated event_id with another payload is a dispatcher bug (409). */
  readonly payload_hash: string;
  /** Fixed at start so a charge keeps the timing it began with; defaults when absent. */
  readonly timing?: ChargeTiming;
  /** Manual-capture charges only: what to do before the hold expires (defaults when absent). */
  readonly capture_policy?: CapturePolicy;
  /**
   * What the charge does with money Stripe reports taken after it decided failed or canceled, while
   * it still runs (LATE_SUCCESS_POLICY; `refund` when absent, as in charges started before it).
   */
  readonly late_success_policy?: LateSuccessPolicy;
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
