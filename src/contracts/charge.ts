/** The charge as callers, the workflow and the Kafka record all name it. Pure types: safe in workflows. */

export const CHARGE_STATUSES = [
  'pending',
  'processing',
  'requires_action',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly ChargeStatus[] = ['succeeded', 'failed', 'canceled'];

export function isTerminal(status: ChargeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The validated body of POST /charge, with `currency` already lowercased. */
export interface ChargeRequest {
  readonly event_id: string;
  readonly order_id: string;
  readonly amount: number;
  readonly currency: string;
  readonly customer_id?: string;
  readonly payment_method?: string;
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
}

export function chargeWorkflowId(eventId: string): string {
  return `charge-${eventId}`;
}

/** The same string on every attempt and every worker, so Stripe deduplicates retried creates. */
export function paymentIntentIdempotencyKey(eventId: string): string {
  return `payments:create-payment-intent:${eventId}`;
}
