import { EVENT_ID_PATTERN } from '../charge';
import {
  DISPUTE_CHANGES,
  DISPUTE_CLOSED_STATUSES,
  DISPUTE_OPEN_STATUSES,
  type DisputeEventV1,
} from '../dispute';
import { PAYMENT_EVENT_SCHEMA_VERSION } from '../payment-event';
import { headersSchema, type RecordContract } from './record-contract';

/** Stripe's dispute statuses, open and closed: a record's status is the dispute's at its change. */
const STATUSES = [...DISPUTE_OPEN_STATUSES, ...DISPUTE_CLOSED_STATUSES];
/** Dispute records share the schema_version header of the charge and refund records. */
const SCHEMA_VERSION = PAYMENT_EVENT_SCHEMA_VERSION;
const nullableString = (description: string) => ({ type: ['string', 'null'], description });

/** One change of a dispute (opened, funds withdrawn, closed, funds reinstated), on payments.disputed. */
export const DISPUTE_EVENT_V1: RecordContract<DisputeEventV1> = {
  name: 'DisputeEventV1',
  schemaVersion: SCHEMA_VERSION,
  title: "A change of a charge's dispute",
  description:
    'Published once per change of a dispute, in lifecycle order (a retried publish writes the same message_id again).',
  key: {
    field: 'order_id',
    description: "The order's id: one order's records stay in one partition, in order",
  },
  headers: headersSchema(SCHEMA_VERSION, STATUSES, {
    dispute_id: { type: 'string', description: "Stripe's dispute (as in the value)" },
    change: { type: 'string', enum: [...DISPUTE_CHANGES], description: 'What changed (as in the value)' },
  }),
  payload: {
    type: 'object',
    additionalProperties: false,
    required: [
      'event_id',
      'order_id',
      'dispute_id',
      'payment_intent_id',
      'charge_id',
      'change',
      'status',
      'reason',
      'amount',
      'currency',
      'evidence_due_by',
      'funds_withdrawn',
      'funds_reinstated',
      'outcome',
      'money_mismatch',
      'occurred_at',
    ],
    properties: {
      event_id: { type: 'string', pattern: EVENT_ID_PATTERN, description: 'The disputed charge' },
      order_id: { type: 'string', minLength: 1, maxLength: 200 },
      dispute_id: { type: 'string', pattern: '^du_', description: "Stripe's dispute" },
      payment_intent_id: { type: ['string', 'null'], pattern: '^pi_' },
      charge_id: { type: ['string', 'null'], pattern: '^(ch|py)_' },
      change: { type: 'string', enum: [...DISPUTE_CHANGES] },
      status: { type: 'string', enum: STATUSES, description: "The dispute's status at this change" },
      reason: nullableString("Stripe's reason: fraudulent, product_not_received, …"),
      amount: { type: 'integer', minimum: 0, description: "Disputed, in the currency's minor unit" },
      currency: { type: 'string', pattern: '^[a-z]{3}$' },
      evidence_due_by: {
        type: ['string', 'null'],
        format: 'date-time',
        description:
          'When evidence must be submitted in the Stripe Dashboard, or null when none is asked for',
      },
      funds_withdrawn: { type: 'boolean' },
      funds_reinstated: { type: 'boolean' },
      outcome: {
        type: ['string', 'null'],
        enum: [...DISPUTE_CLOSED_STATUSES, null],
        description: 'Set on closed: won, lost, warning_closed or prevented',
      },
      money_mismatch: nullableString(
        "Set when Stripe's dispute is for other money than the charge: do not trust its amount",
      ),
      occurred_at: {
        type: 'string',
        format: 'date-time',
        description: 'When Stripe recorded the change (RFC 3339, UTC)',
      },
    },
  },
  example: {
    headers: {
      event_id: 'evt_order_1001_charge',
      dispute_id: 'du_1Qx1001',
      change: 'opened',
      message_id: 'dispute:du_1Qx1001:opened',
      schema_version: SCHEMA_VERSION,
      status: 'needs_response',
    },
    payload: {
      event_id: 'evt_order_1001_charge',
      order_id: 'order-1001',
      dispute_id: 'du_1Qx1001',
      payment_intent_id: 'pi_3Qx1001',
      charge_id: 'ch_3Qx1001',
      change: 'opened',
      status: 'needs_response',
      reason: 'fraudulent',
      amount: 1999,
      currency: 'usd',
      evidence_due_by: '2026-12-12T23:59:59.000Z',
      funds_withdrawn: false,
      funds_reinstated: false,
      outcome: null,
      money_mismatch: null,
      occurred_at: '2026-12-04T10:00:00.000Z',
    },
  },
};
