import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { inTraceOf, registerHttpTracing } from '../../src/api/http-tracing';
import { spanRecorder } from '../support/span-recorder';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function appWithTracing() {
  const recorder = spanRecorder();
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const loggerInstance: FastifyBaseLogger = pino(sink);
  const app = Fastify({ loggerInstance });
  registerHttpTracing(app, recorder.tracer);
  app.post('/charge', async (request) => {
    request.log.info('in the handler');
    return { active_trace: trace.getActiveSpan()?.spanContext().traceId ?? null };
  });
  app.get('/healthz', async () => ({ active: trace.getActiveSpan() !== undefined }));
  return { app, recorder, lines };
}

describe('HTTP tracing', () => {
  it("makes one server span per request that continues the caller's traceparent, and runs the handler inside it", async () => {
    const { app, recorder, lines } = appWithTracing();
    const res = await app.inject({
      method: 'POST',
      url: '/charge',
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      payload: {},
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { active_trace: CALLER_TRACE });
    const [span] = recorder.finished();
    assert.equal(span?.name, 'POST /charge');
    assert.equal(span?.kind, SpanKind.SERVER);
    assert.equal(span?.spanContext().traceId, CALLER_TRACE);
    assert.equal(span?.parentSpanId, CALLER_SPAN);
    assert.equal(span?.attributes['http.response.status_code'], 200);
    assert.equal(lines.find((l) => l['msg'] === 'in the handler')?.['trace_id'], CALLER_TRACE);
    await app.close();
  });

  it('starts a new trace when the caller sends none, and leaves probes untraced', async () => {
    const { app, recorder } = appWithTracing();
    const res = await app.inject({ method: 'POST', url: '/charge', payload: {} });
    const [span] = recorder.finished();
    assert.equal(span?.parentSpanId, undefined);
    assert.equal(res.json<{ active_trace: string }>().active_trace, span?.spanContext().traceId);
    const probe = await app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(probe.json(), { active: false });
    assert.equal(recorder.finished().length, 1);
    await app.close();
  });

  it("runs work in the trace a traceparent names, linked to the current request's span; without one, as it is", async () => {
    const recorder = spanRecorder();
    const request = recorder.tracer.startSpan('POST /stripe/webhook');
    const traceIdInside = await context.with(trace.setSpan(context.active(), request), () =>
      inTraceOf(
        recorder.tracer,
        `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
        'webhook payment_intent.succeeded',
        async () => trace.getActiveSpan()?.spanContext().traceId,
      ),
    );
    request.end();
    assert.equal(traceIdInside, CALLER_TRACE);
    const joined = recorder.finished().find((s) => s.name === 'webhook payment_intent.succeeded');
    assert.equal(joined?.parentSpanId, CALLER_SPAN);
    assert.deepEqual(
      joined?.links.map((l) => l.context.spanId),
      [request.spanContext().spanId],
      "linked to the webhook request's own span",
    );
    assert.equal(await inTraceOf(recorder.tracer, undefined, 'unused', async () => 'ran'), 'ran');
    assert.equal(await inTraceOf(recorder.tracer, 'not-a-traceparent', 'unused', async () => 'ran'), 'ran');
    assert.equal(recorder.finished().filter((s) => s.name === 'unused').length, 0);
  });
});
