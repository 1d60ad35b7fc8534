/**
 * The one table of Kafka topics we publish to. Config variables, defaults, the publisher, the
 * workflows' activity summaries, the local stack, compose and kind all derive from it (or a test
 * holds them to it: test/contracts/topics.test.ts).
 */
export const TOPICS = {
  completed: {
    variable: 'PAYMENTS_COMPLETED_TOPIC',
    default: 'payments.completed',
    meaning: 'Topic for succeeded charges',
    record: 'PaymentEventV1',
  },
  failed: {
    variable: 'PAYMENTS_FAILED_TOPIC',
    default: 'payments.failed',
    meaning: 'Topic for failed and canceled charges',
    record: 'PaymentEventV1',
  },
  refunded: {
    variable: 'PAYMENTS_REFUNDED_TOPIC',
    default: 'payments.refunded',
    meaning: 'Topic for succeeded refunds',
    record: 'RefundEventV1',
  },
  refund_failed: {
    variable: 'PAYMENTS_REFUND_FAILED_TOPIC',
    default: 'payments.refund_failed',
    meaning: 'Topic for failed or canceled refunds',
    record: 'RefundEventV1',
  },
  disputed: {
    variable: 'PAYMENTS_DISPUTED_TOPIC',
    default: 'payments.disputed',
    meaning: 'Topic for disputes: opened, funds withdrawn, funds reinstated, closed with outcome',
    record: 'DisputeEventV1',
  },
} as const;

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
