/**
 * The objects the stand-in keeps, in the fields this service and its tests use. They are rendered in
 * Stripe's full response shape by render.ts; fields not modelled here are rendered as Stripe's
 * defaults (null, empty).
 */

export const PAYMENT_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;
export type PaymentIntentStatus = (typeof PAYMENT_INTENT_STATUSES)[number];

/** A PaymentIntent's `last_payment_error`, or a declined confirmation's error. */
export interface PaymentError {
  readonly type: 'card_error' | 'invalid_request_error';
  readonly code: string;
  readonly decline_code?: string;
  readonly message: string;
  readonly payment_method?: string;
  readonly charge?: string;
}

export interface PaymentIntentRecord {
  readonly id: string;
  readonly created: number;
  amount: number;
  readonly currency: string;
  metadata: Record<string, string>;
  description: string | null;
  customer: string | null;
  readonly capture_method: 'automatic' | 'automatic_async' | 'manual';
  readonly confirmation_method: 'automatic' | 'manual';
  payment_method: string | null;
  readonly payment_method_types: string[];
  status: PaymentIntentStatus;
  readonly client_secret: string;
  next_action: Record<string, unknown> | null;
  last_payment_error: PaymentError | null;
  latest_charge: string | null;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  receipt_email: string | null;
  setup_future_usage: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  /** Where a redirect-based authentication returns (the confirmation's return_url). */
  return_url: string | null;
  /** The payment method whose 3-D Secure authentication the customer has yet to finish. */
  authenticating: string | null;
}

export interface ChargeRecord {
  readonly id: string;
  readonly created: number;
  readonly payment_intent: string;
  readonly amount: number;
  amount_captured: number;
  amount_refunded: number;
  readonly currency: string;
  captured: boolean;
  status: 'succeeded' | 'pending' | 'failed';
  paid: boolean;
  refunded: boolean;
  disputed: boolean;
  readonly payment_method: string;
  failure_code: string | null;
  failure_message: string | null;
  decline_code: string | null;
  readonly metadata: Record<string, string>;
  readonly description: string | null;
  readonly customer: string | null;
}

export interface RefundRecord {
  readonly id: string;
  readonly created: number;
  readonly amount: number;
  readonly currency: string;
  readonly charge: string;
  readonly payment_intent: string;
  readonly metadata: Record<string, string>;
  readonly reason: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  failure_reason: string | null;
}

export interface DisputeRecord {
  readonly id: string;
  readonly created: number;
  readonly amount: number;
  readonly currency: string;
  readonly charge: string;
  readonly payment_intent: string;
  readonly reason: string;
  status: 'warning_needs_response' | 'needs_response' | 'under_review' | 'won' | 'lost';
}

export interface EventRecord {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  /** The object as it was when the event happened (Stripe's snapshot). */
  readonly object: Record<string, unknown>;
  /** The API request that caused it; null for what a customer, a bank or time did. */
  readonly request: { readonly id: string | null; readonly idempotency_key: string | null };
}

export interface WebhookEndpointRecord {
  readonly id: string;
  readonly url: string;
  secret: string;
  /** The version events are stamped with for this endpoint (this stand-in renders one shape only). */
  api_version: string;
  /** `*` for every event, as Stripe's enabled_events. */
  enabled_events: string[];
}
