import { Context } from '@temporalio/activity';
import type { EventProducer } from '../clients/kafka';
import type { Config } from '../config';
import {
  PAYMENT_EVENT_HEADERS,
  PAYMENT_EVENT_SCHEMA_VERSION,
  paymentEventMessageId,
  type PaymentEventV1,
} from '../contracts/payment-event';
import { refundMessageId, type RefundEventV1 } from '../contracts/refund';
import type { Metrics } from '../observability/metrics';

export function topicFor(event: PaymentEventV1, topics: Config['kafka']): string {
  return event.status === 'succeeded' ? topics.completedTopic : topics.failedTopic;
}

export function refundTopicFor(event: RefundEventV1, topics: Config['kafka']): string {
  return event.status === 'succeeded' ? topics.refundedTopic : topics.refundFailedTopic;
}

export function createKafkaActivities(deps: {
  producer: EventProducer;
  topics: Config['kafka'];
  metrics: Metrics | undefined;
}) {
  const { producer, topics, metrics } = deps;
  return {
    /**
     * Publishes the charge's final outcome. Keyed by order_id so one order's events stay in one
     * partition, in order. A retried activity may write the record again; the message id lets
     * consumers drop such repeats, and acks=-1 means a returned send is on every in-sync replica.
     */
    async publishPaymentEvent(event: PaymentEventV1): Promise<{ topic: string; message_id: string }> {
      const topic = topicFor(event, topics);
      const messageId = paymentEventMessageId(event.event_id, event.status);
      const { attempt } = Context.current().info;
      if (attempt > 1) metrics?.kafkaPublishRetries.inc({ topic });
      const stopTimer = metrics?.kafkaPublishDuration.startTimer({ topic });
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: [
            {
              key: event.order_id,
              value: JSON.stringify(event),
              headers: {
                [PAYMENT_EVENT_HEADERS.eventId]: event.event_id,
                [PAYMENT_EVENT_HEADERS.messageId]: messageId,
                [PAYMENT_EVENT_HEADERS.schemaVersion]: PAYMENT_EVENT_SCHEMA_VERSION,
                [PAYMENT_EVENT_HEADERS.status]: event.status,
              },
            },
          ],
        });
        stopTimer?.({ result: 'ok' });
        metrics?.chargeOutcomes.inc({ status: event.status });
        Context.current().log.info('payment event published', { topic, message_id: messageId, attempt });
      } catch (err) {
        stopTimer?.({ result: 'error' });
        Context.current().log.warn('Kafka publish failed; Temporal will retry', {
          topic,
          attempt,
          error: err instanceof Error ? err.message : String(err),
        });
        throw err;
      }
      return { topic, message_id: messageId };
    },

    /** Publishes a refund's final outcome: once per refund, keyed by order_id, deduplicable by message id. */
    async publishRefundEvent(event: RefundEventV1): Promise<{ topic: string; message_id: string }> {
      const topic = refundTopicFor(event, topics);
      const messageId = refundMessageId(event.refund_id, event.status);
      const { attempt } = Context.current().info;
      if (attempt > 1) metrics?.kafkaPublishRetries.inc({ topic });
      const stopTimer = metrics?.kafkaPublishDuration.startTimer({ topic });
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: [
            {
              key: event.order_id,
              value: JSON.stringify(event),
              headers: {
                [PAYMENT_EVENT_HEADERS.eventId]: event.event_id,
                refund_id: event.refund_id,
                [PAYMENT_EVENT_HEADERS.messageId]: messageId,
                [PAYMENT_EVENT_HEADERS.schemaVersion]: PAYMENT_EVENT_SCHEMA_VERSION,
                [PAYMENT_EVENT_HEADERS.status]: event.status,
              },
            },
          ],
        });
        stopTimer?.({ result: 'ok' });
      } catch (err) {
        stopTimer?.({ result: 'error' });
        throw err;
      }
      Context.current().log.info('refund event published', { topic, message_id: messageId, attempt });
      return { topic, message_id: messageId };
    },
  };
}
