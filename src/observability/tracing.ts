/**
 * OpenTelemetry tracing: one trace per charge, from POST /charge through Temporal and Stripe to the
 * Kafka record. Spans are exported (OTLP/HTTP, JSON) only when OTEL_EXPORTER_OTLP_ENDPOINT is set;
 * otherwise the tracer records nothing, but a caller's `traceparent` still flows through, so log
 * lines and the Kafka record name the caller's trace.
 */
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config';

/** The name spans and the resource carry. */
export const TRACING_SERVICE_NAME = 'payments-service';

export interface Tracing {
  /** Our spans (HTTP, Stripe's HTTP call, the webhook's signal, the Kafka publish) and Temporal's client/activity spans. */
  readonly tracer: Tracer;
  /** Where the workflow sandbox's spans go (they leave the sandbox through a sink). */
  readonly workflowSpanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** True when spans are exported. */
  readonly exporting: boolean;
  /** Flushes what is buffered and stops exporting; called last at shutdown. */
  shutdown(): Promise<void>;
}

let globalsInstalled = false;

/**
 * The context manager and the W3C propagator are process-wide in OpenTelemetry's API (Temporal's
 * interceptors read them from there). Installed once per process, whether or not spans are exported:
 * without them an incoming traceparent would not reach the Kafka record.
 */
function installGlobals(): void {
  if (globalsInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  globalsInstalled = true;
}

export function createTracing(config: Pick<Config, 'tracing' | 'mode'>): Tracing {
  installGlobals();
  const resource = new Resource({
    'service.name': TRACING_SERVICE_NAME,
    'service.namespace': 'bookstore',
    'payments.mode': config.mode,
  });
  const endpoint = config.tracing.otlpEndpoint;
  if (endpoint === undefined) {
    // The API's no-op tracer: spans cost nothing, a propagated parent still passes through.
    return {
      tracer: trace.getTracerProvider().getTracer(TRACING_SERVICE_NAME),
      workflowSpanProcessor: new NoopSpanProcessor(),
      resource,
      exporting: false,
      shutdown: async () => undefined,
    };
  }
  // The URL is passed explicitly: the exporter would otherwise read OTEL_* from process.env itself.
  const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, timeoutMillis: 5_000 });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  // Not registered globally: everything that makes spans is handed this provider's tracer, so a
  // second service in one process (the tests) cannot pick up another's.
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  let stopping: Promise<void> | undefined;
  return {
    tracer: provider.getTracer(TRACING_SERVICE_NAME),
    // The workflow's spans are batched and exported with ours.
    workflowSpanProcessor: processor,
    resource,
    exporting: true,
    shutdown: () => {
      stopping ??= provider.shutdown();
      return stopping;
    },
  };
}

/** The W3C `traceparent` of a context's span, or undefined when it has none. */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier['traceparent'];
}

/** The context a W3C `traceparent` names (a remote parent), or undefined when it names none. */
export function contextOfTraceparent(traceparent: string | undefined): Context | undefined {
  if (traceparent === undefined) return undefined;
  const ctx = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getSpanContext(ctx) === undefined ? undefined : ctx;
}

/** trace_id of a span, for log lines; undefined for the API's invalid span. */
export function traceIdOf(span: Span | undefined): string | undefined {
  const spanContext = span?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

const SCHEDULED_TRACEPARENT = createContextKey('payments.activity.scheduled-traceparent');

/**
 * Runs an activity attempt knowing the `traceparent` of the workflow span that scheduled it: the
 * same for every attempt, unlike the attempt's own span (src/activities/tracing-interceptors.ts).
 */
export function withScheduledTraceparent<T>(traceparent: string, fn: () => T): T {
  return context.with(context.active().setValue(SCHEDULED_TRACEPARENT, traceparent), fn);
}

/**
 * The running activity's scheduling `traceparent`, for what must be equal on every attempt (the
 * PaymentIntent's metadata, sent under an idempotency key); undefined outside a traced activity.
 */
export function scheduledTraceparent(): string | undefined {
  const value = context.active().getValue(SCHEDULED_TRACEPARENT);
  return typeof value === 'string' ? value : undefined;
}
