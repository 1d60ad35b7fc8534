/**
 * A tracer whose finished spans stay in memory, for unit tests of what makes spans (no exporter, no
 * stack). The process-wide context manager and W3C propagator are the service's own (createTracing).
 */
import type { Tracer } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { createTracing } from '../../src/observability/tracing';

export interface SpanRecorder {
  readonly tracer: Tracer;
  finished(): ReadableSpan[];
}

export function spanRecorder(): SpanRecorder {
  createTracing({ mode: 'all', tracing: { otlpEndpoint: undefined } });
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider();
  provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
  return { tracer: provider.getTracer('test'), finished: () => exporter.getFinishedSpans() };
}
