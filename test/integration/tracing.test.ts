/**
 * One trace per charge, on the real stack: the service exports over OTLP to the stack's trace backend
 * (Jaeger, test/support/jaeger.ts), the Stripe stand-in keeps the PaymentIntent and sends its signed
 * webhook, and the test reads the trace back from Jaeger's query API: the HTTP request, the workflow start and run, the
 * Stripe activity and its HTTP call, the webhook's signal and the Kafka publish share one trace id,
 * which the Kafka record's `traceparent` carries, and the request's and activities' log lines name.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chargeWorkflowId } from '../../src/contracts/charge';
import { readRecordsFor } from '../support/kafka-reader';
import { startTestJaeger, type TestJaeger } from '../support/jaeger';
import type { ReceivedSpan } from '../support/otlp-receiver';
import { AUTH_HEADER } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;

/** The W3C traceparent's parts: version-traceid-spanid-flags. */
function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value ?? '');
  assert.ok(match, `a W3C traceparent, got ${String(value)}`);
  return { traceId: match[1]!, spanId: match[2]! };
}

describe('one trace per charge, exported over OTLP to Jaeger (real stack)', { timeout: 180_000 }, () => {
  let jaeger: TestJaeger;
  before(async () => {
    jaeger = await startTestJaeger();
  });
  after(() => jaeger?.close());
  const suite = standinServiceForSuite({
    env: () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl }),
  });
  const { charge } = suite;

  it('covers POST /charge, the workflow, the Stripe call, the webhook signal and the Kafka publish, whose record carries its traceparent', async () => {
    const eventId = `evt-trace-${randomUUID()}`;
    const posted = await fetch(`${suite.service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify({
        event_id: eventId,
        order_id: `order-${eventId}`,
        amount: 2500,
        currency: 'usd',
      }),
    });
    assert.equal(posted.status, 202);
    const pi = await waitUntil(
      async () => (await charge(eventId)).payment_intent_id ?? undefined,
      `the PaymentIntent of ${eventId}`,
    );
    // The customer pays in the browser; Stripe's signed webhook reaches the receiver.
    await suite.standin.control.confirm(pi, 'pm_card_visa');
    const [record] = await waitUntil(async () => {
      const found = await readRecordsFor(['payments.completed'], new Set([eventId]));
      return found.length > 0 ? found : undefined;
    }, `payments.completed for ${eventId}`);

    const { traceId, spanId: publishSpanId } = parseTraceparent(record?.headers['traceparent']);
    const named = (spans: ReceivedSpan[], name: string) => spans.find((s) => s.name === name);
    // The workflow's run span ends last (after the publish): the trace is whole once it arrives.
    const spans = await waitUntil(async () => {
      const found = await jaeger.trace(traceId);
      return named(found, 'RunWorkflow:ChargeWorkflow') && found.some((s) => s.kind === PRODUCER)
        ? found
        : undefined;
    }, `the spans of trace ${traceId}`);

    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan | undefined) => (span ? byId.get(span.parentSpanId) : undefined);

    // HTTP: the root, a server span of the route.
    const request = named(spans, 'POST /charge');
    assert.equal(request?.kind, SERVER);
    assert.equal(request?.parentSpanId, '', 'POST /charge starts the trace (the caller sent none)');
    assert.equal(request?.service, 'payments-service');

    // The workflow start, under the request; the run, under the start.
    const start = named(spans, 'StartWorkflow:ChargeWorkflow');
    assert.equal(start?.attributes['temporalWorkflowId'], chargeWorkflowId(eventId));
    assert.equal(parentOf(start), request);
    assert.equal(parentOf(named(spans, 'RunWorkflow:ChargeWorkflow')), start);

    // The Stripe activity and its HTTP call, which created the PaymentIntent.
    const stripeActivity = named(spans, 'RunActivity:createPaymentIntent');
    assert.ok(stripeActivity, 'the Stripe activity is in the trace');
    const stripeCall = spans.find((s) => s.kind === CLIENT && s.name === 'stripe POST /v1/payment_intents');
    assert.equal(parentOf(stripeCall), stripeActivity);
    assert.equal(stripeCall?.attributes['http.response.status_code'], 200);

    // The PaymentIntent keeps the charge's trace context, the scheduling span of its create.
    const [intent] = await suite.standin.control.paymentIntentsFor(eventId);
    const kept = parseTraceparent(intent?.metadata['traceparent']);
    assert.equal(kept.traceId, traceId);
    assert.equal(byId.get(kept.spanId)?.name, 'StartActivity:createPaymentIntent');

    // The webhook's signal, in the charge's trace (by the PaymentIntent's metadata), and its handling.
    const webhook = named(spans, 'webhook payment_intent.succeeded');
    assert.ok(webhook, "the webhook's span joined the charge's trace");
    // (payment_intent.created is signalled too, in its own span of the same trace.)
    const signal = spans.find((s) => s.name === 'SignalWorkflow:stripeEvent' && parentOf(s) === webhook);
    assert.ok(signal, "the webhook's signal is a child of its span");
    assert.ok(
      spans.some((s) => s.name === 'HandleSignal:stripeEvent' && parentOf(s) === signal),
      "the workflow's handling of that signal is a child of the signal",
    );

    // The Kafka publish: the record's traceparent names the producer span, inside the activity.
    const publish = byId.get(publishSpanId);
    assert.equal(publish?.name, 'publish payments.completed');
    assert.equal(publish?.kind, PRODUCER);
    assert.equal(parentOf(publish)?.name, 'RunActivity:publishPaymentEvent');

    // trace_id on the request's log line and on the activities' and the workflow's lines.
    const lines = suite.service.logs.filter((l) => l['trace_id'] === traceId);
    assert.ok(
      lines.some((l) => l['msg'] === 'request completed' && l['route'] === '/charge'),
      "the request's log line names the trace",
    );
    // And the workflow's own lines, those the webhook's signal caused included.
    const workflowLines = suite.service.logs.filter(
      (l) => l['msg'] === 'charge status changed' && l['workflowId'] === chargeWorkflowId(eventId),
    );
    assert.ok(workflowLines.length >= 2, 'the charge logged its status changes');
    assert.deepEqual(new Set(workflowLines.map((l) => l['trace_id'])), new Set([traceId]));
    for (const message of ['PaymentIntent created', 'event published']) {
      assert.ok(
        lines.some((l) => l['msg'] === message),
        `the activity line "${message}" names the trace`,
      );
    }
  });

  it("continues a caller's traceparent on POST /charge", async () => {
    const callerTrace = randomUUID().replaceAll('-', '');
    const eventId = `evt-trace-${randomUUID()}`;
    const posted = await fetch(`${suite.service.url}/charge`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
        ...AUTH_HEADER,
      },
      body: JSON.stringify({
        event_id: eventId,
        order_id: `order-${eventId}`,
        amount: 1200,
        currency: 'usd',
      }),
    });
    assert.equal(posted.status, 202);
    const request = await waitUntil(
      async () => (await jaeger.trace(callerTrace)).find((s) => s.name === 'POST /charge'),
      "the request's span in the caller's trace",
    );
    assert.equal(request.parentSpanId, '00f067aa0ba902b7');
    await waitUntil(
      async () =>
        (await jaeger.trace(callerTrace)).find(
          (s) =>
            s.name === 'StartWorkflow:ChargeWorkflow' &&
            s.attributes['temporalWorkflowId'] === chargeWorkflowId(eventId),
        ),
      "the workflow start in the caller's trace",
    );
  });
});
