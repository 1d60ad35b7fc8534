/**
 * Activities' spans: Temporal's interceptors make one span per attempt (a child of the workflow's
 * span that scheduled it) and put trace_id on every activity log line. Ours, outermost, keeps the
 * scheduling span's `traceparent`, the same for every attempt, for what must not change between
 * attempts (the PaymentIntent's metadata, sent under an idempotency key).
 */
import type { Tracer } from '@opentelemetry/api';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { traceparentOf, withScheduledTraceparent } from '../observability/tracing';

export function activityTracingInterceptors(tracer: Tracer): ActivityInterceptorsFactory[] {
  return [
    () => ({
      inbound: {
        execute(input, next) {
          const scheduled = extractContextFromHeaders(input.headers);
          const traceparent = scheduled === undefined ? undefined : traceparentOf(scheduled);
          if (traceparent === undefined) return next(input);
          return withScheduledTraceparent(traceparent, () => next(input));
        },
      },
    }),
    (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
  ];
}
