import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import type { EventProducer } from '../clients/kafka';
import {
  PAYMENT_EVENT_HEADERS,
  PAYMENT_EVENT_SCHEMA_VERSION,
  paymentEventMessageId,
  type PaymentAuthorizedV1,
  type PaymentEventV1,
} from '../contracts/payment-event';
import { refundMessageId, type RefundEventV1 } from '../contracts/refund';
import { disputeMessageId, type DisputeEventV1 } from '../contracts/dispute';
import { outcomeTopic, type TopicNames } from '../contracts/topics';
import type { Metrics } from '../observability/metrics';

interface OutgoingRecord {
  readonly topic: string;
  readonly messageId: string;
  readonly event: { readonly event_id: string; readonly order_id: string; readonly status: string };
  readonly extraHeaders?: Readonly<Record<string, string>>;
}

export function createKafkaActivities(deps: {
  producer: EventProducer;
  topics: TopicNames;
  metrics: Metrics | undefined;
  tracer?: Tracer | undefined;
}) {
  const { producer, topics, metrics } = deps;
  const tracer = deps.tracer ?? trace.getTracer('payments-service');
  // Every topic's series at 0 from the start: the alert on retries sees the first one as an increase.
  for (const topic of Object.values(topics)) metrics?.kafkaPublishRetries.inc({ topic }, 0);

  /**
   * Keyed by order_id so one order's events stay in one partition, in order. A retried activity may
   * write the record again; the message id lets consumers drop such repeats, and acks=-1 means a
   * returned send is on every in-sync replica.
   */
  async function publish(record: OutgoingRecord): Promise<{ topic: string; message_id: string }> {
    const { topic, messageId, event } = record;
    const { attempt } = Context.current().info;
    if (attempt > 1) metrics?.kafkaPublishRetries.inc({ topic });
    const stopTimer = metrics?.kafkaPublishDuration.startTimer({ topic });
    // A PRODUCER span of the charge's trace; the record's W3C `traceparent` names it, so a consumer
    // continues the same trace.
    const span = tracer.startSpan(`publish ${topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': messageId,
      },
    });
    const traceHeaders: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), traceHeaders);
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
              ...record.extraHeaders,
              ...traceHeaders,
            },
          },
        ],
      });
      stopTimer?.({ result: 'ok' });
      span.end();
    } catch (err) {
      stopTimer?.({ result: 'error' });
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
      span.end();
      Context.current().log.warn('Kafka publish failed; Temporal will retry', {
        topic,
        attempt,
        error: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
    Context.current().log.info('event published', { topic, message_id: messageId, attempt });
    return { topic, message_id: messageId };
  }

  return {
    /** Publishes the charge's final outcome on the completed or the failed topic. */
    async publishPaymentEvent(event: PaymentEventV1): Promise<{ topic: string; message_id: string }> {
      const published = await publish({
        topic: topics[outcomeTopic('charge', event.status)],
        messageId: paymentEventMessageId(event.event_id, event.status),
        event,
      });
      metrics?.chargeOutcomes.inc({ status: event.status });
      return published;
    },

    /** Announces a manual-capture charge's authorization on payments.authorized (once per charge). */
    async publishAuthorizedEvent(event: PaymentAuthorizedV1): Promise<{ topic: string; message_id: string }> {
      return publish({
        topic: topics.authorized,
        messageId: paymentEventMessageId(event.event_id, event.status),
        event,
      });
    },

    /** Publishes a refund's final outcome on payments.refunded or payments.refund_failed. */
    async publishRefundEvent(event: RefundEventV1): Promise<{ topic: string; message_id: string }> {
      return publish({
        topic: topics[outcomeTopic('refund', event.status)],
        messageId: refundMessageId(event.refund_id, event.status),
        event,
        extraHeaders: { refund_id: event.refund_id },
      });
    },

    /** Publishes one change of a dispute on payments.disputed (header `status` is the dispute's). */
    async publishDisputeEvent(event: DisputeEventV1): Promise<{ topic: string; message_id: string }> {
      return publish({
        topic: topics.disputed,
        messageId: disputeMessageId(event.dispute_id, event.change),
        event,
        extraHeaders: { dispute_id: event.dispute_id, change: event.change },
      });
    },
  };
}
