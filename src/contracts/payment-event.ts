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
}

/** Same charge, same outcome → same id, however often the publish activity is retried. */
export function paymentEventMessageId(eventId: string, status: PaymentEventV1['status']): string {
  return `charge:${eventId}:${status}`;
}

export const PAYMENT_EVENT_HEADERS = {
  eventId: 'event_id',
  messageId: 'message_id',
  schemaVersion: 'schema_version',
  status: 'status',
} as const;
