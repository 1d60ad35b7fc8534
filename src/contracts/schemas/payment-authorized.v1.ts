import { EVENT_ID_PATTERN } from '../charge';
import { PAYMENT_EVENT_SCHEMA_VERSION, type PaymentAuthorizedV1 } from '../payment-event';
import { headersSchema, type RecordContract } from './record-contract';

/** A manual-capture charge's authorization, on payments.authorized: the order may ship. */
export const PAYMENT_AUTHORIZED_V1: RecordContract<PaymentAuthorizedV1> = {
  name: 'PaymentAuthorizedV1',
  schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
  title: "A manual-capture charge's authorization (the money is held, not yet taken)",
  description:
    'Published once per manual-capture charge when Stripe has authorized the card (PaymentIntent requires_capture); a retried publish writes the same message_id again. The charge is then captured (payments.completed, with amount_captured) or voided / expired (payments.failed, status canceled).',
  key: {
    field: 'order_id',
    description: "The order's id: one order's records stay in one partition, in order",
  },
  headers: headersSchema(PAYMENT_EVENT_SCHEMA_VERSION, ['authorized']),
  payload: {
    type: 'object',
    additionalProperties: false,
    required: [
      'event_id',
      'order_id',
      'payment_intent_id',
      'amount',
      'amount_capturable',
      'currency',
      'status',
      'authorization_expires_at',
      'occurred_at',
    ],
    properties: {
      event_id: {
        type: 'string',
        pattern: EVENT_ID_PATTERN,
        description: 'The order event that asked for the charge (POST /charge)',
      },
      order_id: { type: 'string', minLength: 1, maxLength: 200 },
      payment_intent_id: { type: 'string', pattern: '^pi_', description: "Stripe's PaymentIntent" },
      amount: { type: 'integer', minimum: 1, description: 'What the charge asked, in minor units' },
      amount_capturable: {
        type: 'integer',
        minimum: 0,
        description: 'What the hold lets the order capture, in minor units',
      },
      currency: { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO 4217, lowercase' },
      status: { type: 'string', const: 'authorized' },
      authorization_expires_at: {
        type: 'string',
        format: 'date-time',
        description:
          "When the hold expires (Stripe's capture_before, or the service's conservative default); capture before it",
      },
      occurred_at: { type: 'string', format: 'date-time', description: 'When the card was authorized' },
    },
  },
  example: {
    headers: {
      event_id: 'evt_order_1001_charge',
      message_id: 'charge:evt_order_1001_charge:authorized',
      schema_version: PAYMENT_EVENT_SCHEMA_VERSION,
      status: 'authorized',
    },
    payload: {
      event_id: 'evt_order_1001_charge',
      order_id: 'order-1001',
      payment_intent_id: 'pi_3Qx1001',
      amount: 4500,
      amount_capturable: 4500,
      currency: 'usd',
      status: 'authorized',
      authorization_expires_at: '2026-12-03T22:15:03.000Z',
      occurred_at: '2026-11-27T10:15:03.120Z',
    },
  },
};
