import { CHARGE_STATUSES } from '../../contracts/charge';
import { REFUND_STATUSES } from '../../contracts/refund';
import { errorResponseSchema } from '../errors';

/** `A-Za-z0-9._:-`, as the dispatcher's event ids are; it also makes a safe workflow id. */
export const EVENT_ID_PATTERN = '^[A-Za-z0-9._:-]{1,200}$';

/**
 * What Stripe takes as a PaymentIntent's `payment_method`: a PaymentMethod (`pm_1N…`), or a Card or
 * Source for older integrations (`card_…`, `src_…`), including Stripe's test PaymentMethods, whose ids
 * are words joined by single underscores (`pm_card_visa`, `pm_card_chargeDeclined`,
 * `pm_card_authenticationRequired`, `pm_card_visa_chargeDeclinedInsufficientFunds`). Anything else
 * (a Token, a bare word, spaces, doubled or trailing underscores) is a caller's bug.
 */
export const PAYMENT_METHOD_PATTERN = '^(pm|card|src)(_[A-Za-z0-9]+)+$';

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
      pattern: PAYMENT_METHOD_PATTERN,
      description:
        'When given, the PaymentIntent is confirmed off-session at once. Without one, the customer confirms it in the storefront with the client_secret (Stripe.js).',
    },
    return_url: {
      type: 'string',
      minLength: 9,
      maxLength: 2048,
      pattern: '^https://[^\\s]+$',
      description:
        "Only with payment_method: where a redirect-based authentication (e.g. 3-D Secure) sends the customer's browser back; passed to Stripe with the confirmation. Without payment_method, the storefront passes its return_url to stripe.confirmPayment.",
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

/** A dispute of the charge (src/contracts/dispute.ts DisputeRecord), as GET /charges/{event_id} lists it. */
export const disputeSchema = {
  type: 'object',
  required: ['dispute_id', 'status', 'evidence_due_by', 'funds_withdrawn', 'funds_reinstated', 'outcome'],
  properties: {
    dispute_id: { type: 'string' },
    event_id: { type: ['string', 'null'] },
    order_id: { type: ['string', 'null'] },
    payment_intent_id: { type: ['string', 'null'] },
    charge_id: { type: ['string', 'null'] },
    status: {
      type: ['string', 'null'],
      description:
        "Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost, …",
    },
    reason: { type: ['string', 'null'] },
    amount: { type: ['integer', 'null'] },
    currency: { type: ['string', 'null'] },
    evidence_due_by: {
      type: ['string', 'null'],
      format: 'date-time',
      description:
        'When evidence must be submitted in the Stripe Dashboard; a dispute left unanswered is lost',
    },
    evidence_submitted: { type: 'boolean' },
    funds_withdrawn: { type: 'boolean' },
    funds_reinstated: { type: 'boolean' },
    outcome: { type: ['string', 'null'], description: 'won, lost, warning_closed or prevented once closed' },
    money_mismatch: {
      type: ['string', 'null'],
      description: 'Set when the dispute is for more than the charge or another currency: check it at Stripe',
    },
    updated_at: { type: 'string', format: 'date-time' },
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
    client_secret: {
      type: ['string', 'null'],
      description:
        "Present while the charge waits for the customer (pending, requires_action); null until the PaymentIntent exists. Hand it to the customer's browser only (Stripe.js confirmPayment, the Payment Element); read from Stripe at each answer, never stored or logged here.",
    },
    next_action: {
      type: ['object', 'null'],
      additionalProperties: true,
      description:
        "Present while the charge waits for the customer: the PaymentIntent's next_action as Stripe returns it (redirect_to_url or use_stripe_sdk), or null. Stripe.js acts on it (stripe.handleNextAction).",
    },
    refunds: { type: 'array', items: refundSchema },
    refunded_amount: { type: 'integer' },
    disputes: {
      type: 'array',
      items: disputeSchema,
      description: "A succeeded charge's disputes (chargebacks and inquiries), with their evidence due time",
    },
  },
} as const;

/**
 * POST /charge's early answer (`Prefer: wait=N`): the charge as GET shows it, plus what the plain
 * answer carries. 201 for a new charge.
 */
export const chargeEarlyAnswerSchema = {
  type: 'object',
  required: [...chargeRecordSchema.required, 'workflow_id', 'run_id', 'status_url', 'duplicate'],
  properties: { ...chargeRecordSchema.properties, ...chargeAcceptedSchema.properties },
} as const;

/**
 * A repeat's answer (200): the plain one, or with `Prefer: wait=N` the early answer when the
 * PaymentIntent came in time (then `Preference-Applied` says so).
 */
export const chargeRepeatSchema = {
  type: 'object',
  required: chargeAcceptedSchema.required,
  properties: { ...chargeRecordSchema.properties, ...chargeAcceptedSchema.properties },
} as const;

export const chargeRequestHeadersSchema = {
  type: 'object',
  properties: {
    prefer: {
      type: 'string',
      description:
        'RFC 7240. `wait=N` (N ≤ 10 seconds; more is cut to 10): wait up to N seconds for the PaymentIntent and answer with the charge as GET shows it (201, or 200 for a repeat) with `Preference-Applied: wait=N`; if it is not there in time, the plain answer. Other preferences are ignored.',
      examples: ['wait=5'],
    },
  },
} as const;

export const eventIdParamsSchema = {
  type: 'object',
  required: ['event_id'],
  properties: { event_id: { type: 'string', pattern: EVENT_ID_PATTERN } },
} as const;

export { errorResponseSchema };
