import { EVENT_ID_PATTERN } from '../charge';
import { PAYMENT_EVENT_SCHEMA_VERSION, type PaymentEventV1 } from '../payment-event';
import { FAILURE_SCHEMA, headersSchema, type RecordContract } from './record-contract';

const STATUSES = ['succeeded', 'failed', 'canceled'] as const satisfies ReadonlyArray<
  PaymentEventV1['status']
>;

/** A charge's final outcome, on payments.completed (succeeded) and payments.failed (failed, canceled). */
export const PAYMENT_EVENT_V1: RecordContract<PaymentEventV1> = {
  name: 'PaymentEventV1',
  schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
  title: "A charge's final outcome",
  description:
    'Published once per charge when it ends (a retried publish writes the same message_id again). Stripe is the source of truth: a charge whose PaymentIntent Stripe reports with other money than asked ends failed with failure.code amount_mismatch.',
  key: {
    field: 'order_id',
    description: "The order's id: one order's records stay in one partition, in order",
  },
  headers: headersSchema(PAYMENT_EVENT_SCHEMA_VERSION, STATUSES),
  payload: {
    type: 'object',
    additionalProperties: false,
    required: ['event_id', 'order_id', 'payment_intent_id', 'amount', 'currency', 'status', 'occurred_at'],
    properties: {
      event_id: {
        type: 'string',
        pattern: EVENT_ID_PATTERN,
        description:
          'The order event that asked for the charge (POST /charge); one charge per event_id, ever',
      },
      order_id: { type: 'string', minLength: 1, maxLength: 200 },
      payment_intent_id: {
        type: ['string', 'null'],
        pattern: '^pi_',
        description: "Stripe's PaymentIntent; null when the charge ended before Stripe created one",
      },
      amount: {
        type: 'integer',
        minimum: 1,
        description: "In the currency's minor unit (cents for USD, yen for JPY)",
      },
      currency: { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO 4217, lowercase' },
      status: { type: 'string', enum: [...STATUSES] },
      failure: { ...FAILURE_SCHEMA, description: 'Why the charge failed or was canceled' },
      occurred_at: {
        type: 'string',
        format: 'date-time',
        description: 'When the charge reached this status (RFC 3339, UTC)',
      },
      amount_captured: {
        type: 'integer',
        minimum: 0,
        description:
          'Manual-capture charges that succeeded: what was captured (amount is what was asked; the rest of the hold was released). Absent on automatic charges',
      },
    },
    // A succeeded charge carries no failure; a failed or canceled one says why when it is known.
    if: { properties: { status: { const: 'succeeded' } } },
    then: { properties: { failure: false } },
    // Only a succeeded (captured) charge has a captured amount.
    else: { properties: { amount_captured: false } },
  },
  example: {
    headers: {
      event_id: 'evt_order_1001_charge',
      message_id: 'charge:evt_order_1001_charge:succeeded',
      schema_version: PAYMENT_EVENT_SCHEMA_VERSION,
      status: 'succeeded',
    },
    payload: {
      event_id: 'evt_order_1001_charge',
      order_id: 'order-1001',
      payment_intent_id: 'pi_3Qx1001',
      amount: 1999,
      currency: 'usd',
      status: 'succeeded',
      occurred_at: '2026-11-27T10:15:03.120Z',
    },
  },
};
