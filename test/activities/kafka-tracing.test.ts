import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import { createKafkaActivities } from '../../src/activities/kafka';
import { PAYMENT_EVENT_V1 } from '../../src/contracts/schemas/payment-event.v1';
import { contractOfTopic, recordViolations } from '../support/record-schemas';
import { spanRecorder } from '../support/span-recorder';
import { DEFAULT_TOPIC_NAMES } from '../support/test-app';

function publisher(tracer = spanRecorder().tracer) {
  const sent: ProducerRecord[] = [];
  const producer = {
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      sent.push(record);
      return [];
    },
    disconnect: async () => undefined,
  };
  const activities = createKafkaActivities({
    producer,
    topics: DEFAULT_TOPIC_NAMES,
    metrics: undefined,
    tracer,
  });
  const publishExample = () => activities.publishPaymentEvent(PAYMENT_EVENT_V1.example.payload);
  const headersOf = (index: number) =>
    Object.fromEntries(
      Object.entries(sent[index]?.messages[0]?.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
  return { publishExample, sent, headersOf };
}

describe('the Kafka publish in the charge trace', () => {
  it("is a producer span of the activity's trace, which the record's traceparent names, within the record contract", async () => {
    const recorder = spanRecorder();
    const { publishExample, sent, headersOf } = publisher(recorder.tracer);
    const activity = recorder.tracer.startSpan('RunActivity:publishPaymentEvent');
    await context.with(trace.setSpan(context.active(), activity), () =>
      new MockActivityEnvironment().run(publishExample),
    );
    activity.end();
    const publish = recorder.finished().find((s) => s.kind === SpanKind.PRODUCER);
    assert.equal(publish?.name, `publish ${DEFAULT_TOPIC_NAMES.completed}`);
    assert.equal(publish?.parentSpanId, activity.spanContext().spanId);
    const headers = headersOf(0);
    assert.equal(
      headers['traceparent'],
      `00-${activity.spanContext().traceId}-${publish?.spanContext().spanId}-01`,
    );
    assert.deepEqual(
      recordViolations(contractOfTopic(sent[0]!.topic), headers, PAYMENT_EVENT_V1.example.payload),
      [],
    );
  });

  it('with tracing off (the no-op tracer) passes a trace it runs in on to the record, and writes none outside one', async () => {
    spanRecorder(); // the process's context manager and propagator, as createTracing installs them
    const { publishExample, headersOf } = publisher(trace.getTracerProvider().getTracer('off'));
    const caller = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    await context.with(trace.setSpan(context.active(), caller), () =>
      new MockActivityEnvironment().run(publishExample),
    );
    assert.equal(headersOf(0)['traceparent'], '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    await new MockActivityEnvironment().run(publishExample);
    assert.equal(headersOf(1)['traceparent'], undefined);
  });
});
