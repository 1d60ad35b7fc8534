import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type Stripe from 'stripe';
import { tracedStripeHttpClient } from '../../src/stripe/traced-http-client';
import { spanRecorder } from '../support/span-recorder';

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

/** An HTTP client that answers `status` and keeps the headers it was sent. */
function innerClient(status: number | Error) {
  const sent: Array<Record<string, unknown>> = [];
  const client = {
    getClientName: () => 'node',
    makeRequest: async (_host: string, _port: string, _path: string, _method: string, headers: object) => {
      sent.push({ ...headers });
      if (status instanceof Error) throw status;
      return { getStatusCode: () => status } as Awaited<ReturnType<HttpClient['makeRequest']>>;
    },
  } as unknown as HttpClient;
  return { client, sent };
}

const call = (client: HttpClient, path = '/v1/payment_intents') =>
  client.makeRequest(
    '127.0.0.1',
    '12111',
    path,
    'POST',
    { 'Idempotency-Key': 'k' },
    'amount=1',
    'http',
    1000,
  );

describe("Stripe's HTTP calls as spans", () => {
  it('makes a client span per call (method and path, never the query) and sends its traceparent to Stripe', async () => {
    const recorder = spanRecorder();
    const inner = innerClient(200);
    await call(tracedStripeHttpClient(recorder.tracer, inner.client), '/v1/customers/search?query=email');
    const [span] = recorder.finished();
    assert.equal(span?.name, 'stripe POST /v1/customers/search');
    assert.equal(span?.kind, SpanKind.CLIENT);
    assert.equal(span?.attributes['http.response.status_code'], 200);
    assert.equal(span?.attributes['url.path'], '/v1/customers/search');
    assert.equal(
      inner.sent[0]?.['traceparent'],
      `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`,
    );
    assert.equal(inner.sent[0]?.['Idempotency-Key'], 'k', "Stripe's own headers pass unchanged");
  });

  it("marks Stripe's error answers and failed connections as errors, and passes both on unchanged", async () => {
    const recorder = spanRecorder();
    const answered = await call(tracedStripeHttpClient(recorder.tracer, innerClient(402).client));
    assert.equal(answered.getStatusCode(), 402);
    const refused = new Error('connect ECONNREFUSED');
    await assert.rejects(call(tracedStripeHttpClient(recorder.tracer, innerClient(refused).client)), refused);
    assert.deepEqual(
      recorder.finished().map((s) => [s.status.code, s.status.message]),
      [
        [SpanStatusCode.ERROR, 'HTTP 402'],
        [SpanStatusCode.ERROR, 'connect ECONNREFUSED'],
      ],
    );
  });
});
