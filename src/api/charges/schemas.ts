import { CHARGE_STATUSES } from '../../contracts/charge';
import { REFUND_STATUSES } from '../../contracts/refund';
import { errorResponseSchema } from '../errors';

/** `A-Za-z0-9._:-`, as the dispatcher's event ids are; it also makes a safe workflow id. */
export const EVENT_ID_PATTERN = '^[A-Za-z0-9._:-]{1,200}$';

export const chargeRequestSchema = {
  type: 'object',
  additionalProperties: false,
  examples: [{ event_id: 'evt_order_1001_charge', order_id: 'order-1001', amount: 1999, currency: 'usd' }],
  required: ['event_id', 'order_id', 'amount', 'currency'],
  properties: {
    event_id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: EVENT_ID_PATTERN,
      examples: ['evt_order_1001_charge'],
    },
    order_id: { type: 'string', minLength: 1, maxLength: 200, examples: ['order-1001'] },
    amount: {
      type: 'integer',
      minimum: 1,
      maximum: 99_999_999,
      description: "In the currency's minor unit (cents for USD)",
      examples: [1999],
    },
    currency: {
      type: 'string',
      pattern: '^[A-Za-z]{3}$',
      description: 'ISO 4217 code, case-insensitive; stored lowercase',
      examples: ['usd'],
    },
    customer_id: { type: 'string', minLength: 1, maxLength: 255, pattern: '^cus_[A-Za-z0-9]+$' },
    payment_method: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^(pm|card|src)_[A-Za-z0-9]+$',
      description: 'When given, the PaymentIntent is confirmed off-session at once',
    },
    description: { type: 'string', minLength: 1, maxLength: 1000 },
    occurred_at: {
      type: 'string',
      maxLength: 64,
      description:
        "RFC 3339 time of the order event. An event older than the dedupe window is refused (422 event_too_old): a replay that old can no longer be told from a new order. Not part of the charge's payload.",
      examples: ['2026-11-27T10:15:00Z'],
    },
    metadata: {
      type: 'object',
      maxProperties: 20,
      // Stripe's own limits on metadata keys and values; event_id and order_id are added by us.
      propertyNames: { minLength: 1, maxLength: 40, not: { enum: ['event_id', 'order_id'] } },
      additionalProperties: { type: 'string', maxLength: 500 },
    },
  },
} as const;

export const chargeAcceptedSchema = {
  type: 'object',
  required: ['event_id', 'workflow_id', 'run_id', 'status', 'status_url', 'duplicate'],
  properties: {
    event_id: { type: 'string' },
    workflow_id: { type: 'string' },
    run_id: { type: 'string' },
    status: { type: 'string', enum: [...CHARGE_STATUSES] },
    status_url: { type: 'string' },
    duplicate: { type: 'boolean' },
  },
} as const;

const failureSchema = {
  type: ['object', 'null'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, decline_code: { type: 'string' } },
} as const;

export const refundSchema = {
  type: 'object',
  required: ['refund_id', 'amount', 'status'],
  properties: {
    refund_id: { type: 'string' },
    amount: { type: 'integer' },
    reason: { type: ['string', 'null'] },
    status: { type: 'string', enum: [...REFUND_STATUSES] },
    stripe_refund_id: { type: ['string', 'null'] },
    failure: failureSchema,
    updated_at: { type: 'string' },
  },
} as const;

export const chargeRecordSchema = {
  type: 'object',
  required: [
    'event_id',
    'order_id',
    'status',
    'amount',
    'currency',
    'payment_intent_id',
    'failure',
    'updated_at',
  ],
  properties: {
    event_id: { type: 'string' },
    order_id: { type: 'string' },
    status: { type: 'string', enum: [...CHARGE_STATUSES] },
    amount: { type: 'integer' },
    currency: { type: 'string' },
    payment_intent_id: { type: ['string', 'null'] },
    failure: failureSchema,
    updated_at: { type: 'string', format: 'date-time' },
    refunds: { type: 'array', items: refundSchema },
    refunded_amount: { type: 'integer' },
  },
} as const;

export const eventIdParamsSchema = {
  type: 'object',
  required: ['event_id'],
  properties: { event_id: { type: 'string', pattern: EVENT_ID_PATTERN } },
} as const;

export { errorResponseSchema };
