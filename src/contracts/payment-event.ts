import type { ChargeFailure, ChargeStatus } from './charge';

/**
 * The record published on the completed and failed topics (src/contracts/topics.ts). Bump the version on any
 * incompatible change; consumers read it from the `schema_version` header before parsing.
 */
export const PAYMENT_EVENT_SCHEMA_VERSION = '1';

export interface PaymentEventV1 {
  readonly event_id: string;
  readonly order_id: string;
  readonly payment_intent_id: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly status: Extract<ChargeStatus, 'succeeded' | 'failed' | 'canceled'>;
  readonly failure?: ChargeFailure;
  readonly occurred_at: string;
  /**
   * Manual-capture charges that succeeded: what was captured (`amount` is what the charge asked; a
   * partial capture takes less and releases the rest). Absent on automatic charges.
   */
  readonly amount_captured?: number;
}

/** The record on payments.authorized: a manual-capture charge's card is authorized, the order may ship. */
export interface PaymentAuthorizedV1 {
  readonly event_id: string;
  readonly order_id: string;
  readonly payment_intent_id: string;
  readonly amount: number;
  readonly amount_capturable: number;
  readonly currency: string;
  readonly status: 'authorized';
  /** When the hold expires: capture before it (the service voids it a margin earlier by default). */
  readonly authorization_expires_at: string;
  readonly occurred_at: string;
}

/** Same charge, same outcome → same id, however often the publish activity is retried. */
export function paymentEventMessageId(
  eventId: string,
  status: PaymentEventV1['status'] | PaymentAuthorizedV1['status'],
): string {
  return `charge:${eventId}:${status}`;
}

export const PAYMENT_EVENT_HEADERS = {
  eventId: 'event_id',
  messageId: 'message_id',
  schemaVersion: 'schema_version',
  status: 'status',
} as const;
