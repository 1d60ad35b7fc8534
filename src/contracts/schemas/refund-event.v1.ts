import { EVENT_ID_PATTERN } from '../charge';
import { LATE_SUCCESS_CAUSE, lateSuccessRefundId } from '../late-outcome';
import { PAYMENT_EVENT_SCHEMA_VERSION } from '../payment-event';
import { REFUND_REASONS, type RefundEventV1 } from '../refund';
import { FAILURE_SCHEMA, headersSchema, type RecordContract } from './record-contract';

const STATUSES = ['succeeded', 'failed', 'canceled'] as const satisfies ReadonlyArray<
  RefundEventV1['status']
>;
/** Refund records started at version 1 together with the charge records, and share the header. */
const SCHEMA_VERSION = PAYMENT_EVENT_SCHEMA_VERSION;

/** A refund's final outcome, on payments.refunded (succeeded) and payments.refund_failed (failed, canceled). */
export const REFUND_EVENT_V1: RecordContract<RefundEventV1> = {
  name: 'RefundEventV1',
  schemaVersion: SCHEMA_VERSION,
  title: "A refund's final outcome",
  description:
    'Published once per refund when Stripe settles it (a retried publish writes the same message_id again).',
  key: {
    field: 'order_id',
    description: "The order's id: one order's records stay in one partition, in order",
  },
  headers: headersSchema(SCHEMA_VERSION, STATUSES, {
    refund_id: { type: 'string', description: 'The refund the record is about (as in the value)' },
  }),
  payload: {
    type: 'object',
    additionalProperties: false,
    required: [
      'event_id',
      'order_id',
      'refund_id',
      'payment_intent_id',
      'stripe_refund_id',
      'amount',
      'currency',
      'reason',
      'status',
      'occurred_at',
    ],
    properties: {
      event_id: { type: 'string', pattern: EVENT_ID_PATTERN, description: 'The refunded charge' },
      order_id: { type: 'string', minLength: 1, maxLength: 200 },
      refund_id: {
        type: 'string',
        pattern: '^[A-Za-z0-9._:-]+$',
        description: `The caller's idempotency key of the refund (POST /charges/:event_id/refund), or ${lateSuccessRefundId('<event_id>')} for the refund the service made on its own (cause)`,
      },
      payment_intent_id: { type: ['string', 'null'], pattern: '^pi_' },
      stripe_refund_id: {
        type: ['string', 'null'],
        pattern: '^re_',
        description: "Stripe's refund; null when Stripe refused to create one",
      },
      amount: { type: 'integer', minimum: 1, description: "Refunded, in the currency's minor unit" },
      currency: { type: 'string', pattern: '^[a-z]{3}$', description: "The charge's currency, lowercase" },
      reason: { type: ['string', 'null'], enum: [...REFUND_REASONS, null] },
      cause: {
        type: 'string',
        enum: [LATE_SUCCESS_CAUSE],
        description: `Set only when the service refunded on its own: ${LATE_SUCCESS_CAUSE} (Stripe took money for a charge already announced failed or canceled)`,
      },
      status: { type: 'string', enum: [...STATUSES] },
      failure: { ...FAILURE_SCHEMA, description: 'Why the refund failed or was canceled' },
      occurred_at: {
        type: 'string',
        format: 'date-time',
        description: 'When the refund reached this status (RFC 3339, UTC)',
      },
    },
  },
  example: {
    headers: {
      event_id: 'evt_order_1001_charge',
      refund_id: 'refund-order-1001-1',
      message_id: 'refund:refund-order-1001-1:succeeded',
      schema_version: SCHEMA_VERSION,
      status: 'succeeded',
    },
    payload: {
      event_id: 'evt_order_1001_charge',
      order_id: 'order-1001',
      refund_id: 'refund-order-1001-1',
      payment_intent_id: 'pi_3Qx1001',
      stripe_refund_id: 're_3Qx1001',
      amount: 500,
      currency: 'usd',
      reason: 'requested_by_customer',
      status: 'succeeded',
      occurred_at: '2026-11-28T09:00:00.000Z',
    },
  },
};
