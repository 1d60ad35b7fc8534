import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTracing } from '../../src/observability/tracing';
import { startOtlpReceiver } from '../support/otlp-receiver';

describe('tracing', () => {
  it('exports nothing without OTEL_EXPORTER_OTLP_ENDPOINT: its spans do not record', async () => {
    const tracing = createTracing({ mode: 'all', tracing: { otlpEndpoint: undefined } });
    assert.equal(tracing.exporting, false);
    const span = tracing.tracer.startSpan('unexported');
    assert.equal(span.isRecording(), false);
    span.end();
    await tracing.shutdown();
  });

  it('exports to <endpoint>/v1/traces as OTLP JSON, and shutdown sends what is still buffered', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const tracing = createTracing({ mode: 'worker', tracing: { otlpEndpoint: receiver.url } });
      assert.equal(tracing.exporting, true);
      const span = tracing.tracer.startSpan('buffered until shutdown');
      span.end();
      // The batch would wait a second; shutdown (SIGTERM's last step) must not drop it.
      await tracing.shutdown();
      assert.deepEqual(
        receiver.spans.map((s) => [s.name, s.traceId, s.service]),
        [['buffered until shutdown', span.spanContext().traceId, 'payments-service']],
      );
      assert.deepEqual(receiver.rejected, []);
    } finally {
      await receiver.close();
    }
  });
});
