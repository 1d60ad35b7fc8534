import { DISPUTE_EVENT_V1 } from './schemas/dispute-event.v1';
import { PAYMENT_AUTHORIZED_V1 } from './schemas/payment-authorized.v1';
import { PAYMENT_EVENT_V1 } from './schemas/payment-event.v1';
import type { RecordContract } from './schemas/record-contract';
import { REFUND_EVENT_V1 } from './schemas/refund-event.v1';

/**
 * The one table of Kafka topics we publish to. Config variables, defaults, the publisher, the
 * workflows' activity summaries, the local stack, compose and kind all derive from it (or a test
 * holds them to it: test/deploy/stack-setup.test.ts). Each entry names the contract of its records
 * (src/contracts/schemas/): their JSON Schemas, from which the AsyncAPI document is built
 * (src/contracts/asyncapi.ts, served by the gateway at /asyncapi.json) and against which the
 * integration tests validate every record they read. A new topic is one entry here and, for a new
 * record type, one contract beside the others.
 */
export const TOPICS = {
  completed: {
    variable: 'PAYMENTS_COMPLETED_TOPIC',
    default: 'payments.completed',
    meaning: 'Topic for succeeded charges',
    record: PAYMENT_EVENT_V1,
  },
  failed: {
    variable: 'PAYMENTS_FAILED_TOPIC',
    default: 'payments.failed',
    meaning: 'Topic for failed and canceled charges',
    record: PAYMENT_EVENT_V1,
  },
  refunded: {
    variable: 'PAYMENTS_REFUNDED_TOPIC',
    default: 'payments.refunded',
    meaning: 'Topic for succeeded refunds',
    record: REFUND_EVENT_V1,
  },
  refund_failed: {
    variable: 'PAYMENTS_REFUND_FAILED_TOPIC',
    default: 'payments.refund_failed',
    meaning: 'Topic for failed or canceled refunds',
    record: REFUND_EVENT_V1,
  },
  authorized: {
    variable: 'PAYMENTS_AUTHORIZED_TOPIC',
    default: 'payments.authorized',
    meaning: 'Topic for authorized manual-capture charges (the money is held; the order may ship)',
    record: PAYMENT_AUTHORIZED_V1,
  },
  disputed: {
    variable: 'PAYMENTS_DISPUTED_TOPIC',
    default: 'payments.disputed',
    meaning: 'Topic for disputes: opened, funds withdrawn, funds reinstated, closed with outcome',
    record: DISPUTE_EVENT_V1,
  },
} as const satisfies Record<string, TopicEntry>;

interface TopicEntry {
  readonly variable: string;
  readonly default: string;
  readonly meaning: string;
  readonly record: RecordContract;
}

export type TopicKey = keyof typeof TOPICS;
export const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];
/** The topic names in force (the defaults unless configured otherwise). */
export type TopicNames = Readonly<Record<TopicKey, string>>;

/** Where a charge's or a refund's final outcome is published. */
export function outcomeTopic(
  kind: 'charge' | 'refund',
  status: 'succeeded' | 'failed' | 'canceled',
): TopicKey {
  if (kind === 'charge') return status === 'succeeded' ? 'completed' : 'failed';
  return status === 'succeeded' ? 'refunded' : 'refund_failed';
}
