import { Type, type Static } from '@sinclair/typebox';
import {
  CAPTURE_METHODS,
  CHARGE_STATUSES,
  EVENT_ID_PATTERN,
  type CaptureRecord,
  type CaptureRequest,
  type ChargeRequest,
} from '../../contracts/charge';
import {
  REFUND_REASONS,
  REFUND_STATUSES,
  type RefundRecord,
  type RefundRequest,
} from '../../contracts/refund';
import type { DisputeRecord } from '../../contracts/dispute';
import { errorResponseSchema } from '../errors';
import { Nullable, StringEnum, StringMap, type Assert, type Immutable, type Same } from '../schema-types';

export { EVENT_ID_PATTERN };

/**
 * What Stripe takes as a PaymentIntent's `payment_method`: a PaymentMethod (`pm_1N…`), or a Card or
 * Source for older integrations (`card_…`, `src_…`), including Stripe's test PaymentMethods, whose ids
 * are words joined by single underscores (`pm_card_visa`, `pm_card_chargeDeclined`,
 * `pm_card_authenticationRequired`, `pm_card_visa_chargeDeclinedInsufficientFunds`). Anything else
 * (a Token, a bare word, spaces, doubled or trailing underscores) is a caller's bug.
 */
export const PAYMENT_METHOD_PATTERN = '^(pm|card|src)(_[A-Za-z0-9]+)+$';

/** Stripe's limits on metadata (keys checked by the handler: OpenAPI 3.0 has no `propertyNames`). */
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_RESERVED_KEYS: readonly string[] = ['event_id', 'order_id'];

export const chargeRequestSchema = Type.Object(
  {
    event_id: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: EVENT_ID_PATTERN,
      examples: ['evt_order_1001_charge'],
    }),
    order_id: Type.String({ minLength: 1, maxLength: 200, examples: ['order-1001'] }),
    amount: Type.Integer({
      minimum: 1,
      maximum: 99_999_999,
      description:
        "In Stripe's minor unit for the currency (cents for USD; ISK and UGX in hundredths of whole units)",
      examples: [1999],
    }),
    currency: Type.String({
      pattern: '^[A-Za-z]{3}$',
      description: 'ISO 4217 code, case-insensitive; stored lowercase',
      examples: ['usd'],
    }),
    customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^cus_[A-Za-z0-9]+$' })),
    payment_method: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: PAYMENT_METHOD_PATTERN,
        description:
          "A PaymentMethod (pm_…, Stripe's test ones such as pm_card_visa included), or a Card or Source id. When given, the PaymentIntent is confirmed at once: off-session, or on-session with return_url. Without one, the customer confirms it in the storefront with the client_secret (Stripe.js).",
      }),
    ),
    return_url: Type.Optional(
      Type.String({
        minLength: 9,
        maxLength: 2048,
        pattern: '^https://[^\\s]+$',
        description:
          "Only with payment_method, and it says the customer is in the checkout: the confirmation is then on-session, so a bank that wants 3-D Secure asks (requires_action, next_action redirect_to_url) instead of declining, and sends the customer's browser back here. Without payment_method, the storefront passes its return_url to stripe.confirmPayment.",
      }),
    ),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    occurred_at: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "RFC 3339 time of the order event. An event older than the dedupe window is refused (422 event_too_old): a replay that old can no longer be told from a new order. Not part of the charge's payload.",
        examples: ['2026-11-27T10:15:00Z'],
      }),
    ),
    metadata: Type.Optional(
      StringMap(Type.String({ maxLength: 500 }), {
        maxProperties: 20,
        description: `Stripe's limits: up to 20 keys of 1–${METADATA_MAX_KEY_LENGTH} characters, values up to 500; ${METADATA_RESERVED_KEYS.join(' and ')} are reserved (the service sets them).`,
      }),
    ),
    capture: Type.Optional(
      StringEnum(CAPTURE_METHODS, {
        description:
          '`automatic` (the default): the money is taken when the card is confirmed. `manual`: the card is only authorized (status `authorized`, a record on payments.authorized) and the money is taken by POST /charges/{event_id}/capture, or the hold voided by POST /charges/{event_id}/cancel. Part of the payload: a repeat with another value is a 409.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ event_id: 'evt_order_1001_charge', order_id: 'order-1001', amount: 1999, currency: 'usd' }],
  },
);

/** POST /charge's body as validated (before `currency` is lowercased and `occurred_at` set aside). */
export type ChargeRequestBody = Static<typeof chargeRequestSchema>;

/** The contract's ChargeRequest is exactly the body without occurred_at: a drift fails the type check. */
export type ChargeRequestIsTheSchema = Assert<
  Same<Immutable<Omit<ChargeRequestBody, 'occurred_at'>>, ChargeRequest>
>;

/** A dispute of the charge (src/contracts/dispute.ts DisputeRecord), as GET /charges/{event_id} lists it. */
export const disputeSchema = Type.Object({
  dispute_id: Type.String(),
  event_id: Nullable(Type.String()),
  order_id: Nullable(Type.String()),
  payment_intent_id: Nullable(Type.String()),
  charge_id: Nullable(Type.String()),
  status: Nullable(Type.String(), {
    description:
      "Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost, …",
  }),
  reason: Nullable(Type.String()),
  amount: Nullable(Type.Integer()),
  currency: Nullable(Type.String()),
  evidence_due_by: Nullable(Type.String({ format: 'date-time' }), {
    description: 'When evidence must be submitted in the Stripe Dashboard; a dispute left unanswered is lost',
  }),
  evidence_submitted: Type.Boolean(),
  funds_withdrawn: Type.Boolean(),
  funds_reinstated: Type.Boolean(),
  outcome: Nullable(Type.String(), { description: 'won, lost, warning_closed or prevented once closed' }),
  money_mismatch: Nullable(Type.String(), {
    description: 'Set when the dispute is for more than the charge or another currency: check it at Stripe',
  }),
  updated_at: Type.String({ format: 'date-time' }),
});

/** A dispute as the API shows it; the dispute workflow's record is exactly that. */
export type DisputeRecordIsTheSchema = Assert<
  Same<Immutable<Static<typeof disputeSchema>>, Immutable<DisputeRecord>>
>;

const chargeStatusSchema = StringEnum(CHARGE_STATUSES);

export const chargeAcceptedSchema = Type.Object({
  event_id: Type.String(),
  workflow_id: Type.String(),
  run_id: Type.String(),
  status: chargeStatusSchema,
  status_url: Type.String(),
  duplicate: Type.Boolean(),
});

export type ChargeAccepted = Static<typeof chargeAcceptedSchema>;

const failureSchema = Nullable(
  Type.Object({
    code: Type.String(),
    message: Type.String(),
    decline_code: Type.Optional(Type.String()),
  }),
);

export const refundSchema = Type.Object({
  refund_id: Type.String(),
  amount: Type.Integer(),
  reason: Nullable(StringEnum(REFUND_REASONS)),
  status: StringEnum(REFUND_STATUSES),
  stripe_refund_id: Nullable(Type.String()),
  failure: failureSchema,
  updated_at: Type.String(),
});

/** A refund as the API shows it; the refunds workflow's record is exactly that. */
export type RefundRecordIsTheSchema = Assert<
  Same<Immutable<Static<typeof refundSchema>>, Immutable<RefundRecord>>
>;

/** A manual-capture charge's hold (src/contracts/charge.ts CaptureRecord). */
export const captureRecordSchema = Type.Object(
  {
    capture_method: Type.Literal('manual'),
    amount_capturable: Nullable(Type.Integer(), {
      description: 'What can still be captured (minor units); null before the card is authorized',
    }),
    authorization_expires_at: Nullable(Type.String({ format: 'date-time' }), {
      description:
        "When the card network releases the hold (Stripe's capture_before, or the conservative default); the service voids it a margin before",
    }),
    amount_captured: Nullable(Type.Integer(), { description: 'What was captured, once succeeded' }),
  },
  { description: 'Present only on manual-capture charges' },
);

export type CaptureRecordIsTheSchema = Assert<
  Same<Immutable<Static<typeof captureRecordSchema>>, CaptureRecord>
>;

export const captureRequestSchema = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 99_999_999,
        description:
          'Minor units, at most amount_capturable; defaults to all of it. The rest of the hold is released.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type CaptureRequestIsTheSchema = Assert<
  Same<Immutable<Static<typeof captureRequestSchema>>, CaptureRequest>
>;

const chargeRecordProperties = {
  event_id: Type.String(),
  order_id: Type.String(),
  status: chargeStatusSchema,
  amount: Type.Integer(),
  currency: Type.String(),
  payment_intent_id: Nullable(Type.String()),
  failure: failureSchema,
  updated_at: Type.String({ format: 'date-time' }),
  client_secret: Type.Optional(
    Nullable(Type.String(), {
      description:
        "Present while the charge waits for the customer (pending, requires_action, requires_payment_method); null until the PaymentIntent exists. Hand it to the customer's browser only (Stripe.js confirmPayment, the Payment Element). Kept by the charge's workflow (encrypted in Temporal), so reading it asks Stripe nothing; never logged.",
    }),
  ),
  next_action: Type.Optional(
    Nullable(Type.Object({}, { additionalProperties: true }), {
      description:
        "Present while the charge waits for the customer: the PaymentIntent's next_action as Stripe returns it (redirect_to_url or use_stripe_sdk), or null. Stripe.js acts on it (stripe.handleNextAction).",
    }),
  ),
  capture: Type.Optional(captureRecordSchema),
  refunds: Type.Optional(Type.Array(refundSchema)),
  refunded_amount: Type.Optional(Type.Integer()),
  disputes: Type.Optional(
    Type.Array(disputeSchema, {
      description: "A succeeded charge's disputes (chargebacks and inquiries), with their evidence due time",
    }),
  ),
};

export const chargeRecordSchema = Type.Object(chargeRecordProperties);

/**
 * POST /charge's early answer (`Prefer: wait=N`): the charge as GET shows it, plus what the plain
 * answer carries. 201 for a new charge.
 */
export const chargeEarlyAnswerSchema = Type.Object({
  ...chargeRecordProperties,
  ...chargeAcceptedSchema.properties,
});

/**
 * A repeat's answer (200): the plain one, or with `Prefer: wait=N` the early answer when the
 * PaymentIntent came in time (then `Preference-Applied` says so).
 */
export const chargeRepeatSchema = Type.Object({
  ...Type.Partial(Type.Object(chargeRecordProperties)).properties,
  ...chargeAcceptedSchema.properties,
});

export const chargeRequestHeadersSchema = Type.Object({
  prefer: Type.Optional(
    Type.String({
      description:
        'RFC 7240. `wait=N` (N ≤ 10 seconds; more is cut to 10): wait up to N seconds for the PaymentIntent and answer with the charge as GET shows it (201, or 200 for a repeat) with `Preference-Applied: wait=N`; if it is not there in time, the plain answer. Other preferences are ignored.',
      examples: ['wait=5'],
    }),
  ),
});

export const eventIdParamsSchema = Type.Object({
  event_id: Type.String({ pattern: EVENT_ID_PATTERN }),
});

export const refundRequestSchema = Type.Object(
  {
    refund_id: Type.String({
      pattern: EVENT_ID_PATTERN,
      description: "The caller's idempotency key for this refund",
    }),
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 99_999_999,
        description: 'Minor units; defaults to the amount not yet refunded',
      }),
    ),
    reason: Type.Optional(StringEnum(REFUND_REASONS)),
  },
  { additionalProperties: false },
);

/** The contract's RefundRequest is exactly the body: a drift fails the type check. */
export type RefundRequestIsTheSchema = Assert<
  Same<Immutable<Static<typeof refundRequestSchema>>, RefundRequest>
>;

export const refundAnswerSchema = Type.Object({
  event_id: Type.String(),
  refund: refundSchema,
  duplicate: Type.Boolean(),
});

/**
 * 202: a refund of a charge whose workflow is no longer retained, durably held while Stripe is
 * asked for the charge; the same request again (same refund_id and body) gets its answer.
 */
export const refundHeldSchema = Type.Object({
  event_id: Type.String(),
  refund_id: Type.String(),
  status: Type.Literal('held'),
  message: Type.String(),
});

export { errorResponseSchema };
