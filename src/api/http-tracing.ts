/**
 * One SERVER span per HTTP request, continuing the caller's W3C `traceparent` when it sends one.
 * The route handler runs inside the span's context (a hook cannot carry it there: the body is read
 * in another async context), so what the handler starts (a workflow, a signal) is its child.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { contextOfTraceparent, traceIdOf } from '../observability/tracing';

/** Not traced: probes and scrapes would bury the charges. */
const UNTRACED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export function registerHttpTracing(app: FastifyInstance, tracer: Tracer): void {
  const contexts = new WeakMap<FastifyRequest, Context>();

  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNTRACED_ROUTES.has(route)) return;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route },
      },
      parent,
    );
    contexts.set(request, trace.setSpan(parent, span));
    // Every line about this request, the request log included, names its trace.
    const traceId = traceIdOf(span);
    if (traceId !== undefined) request.log = request.log.child({ trace_id: traceId });
  });

  const end = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const span = trace.getSpan(contexts.get(request) ?? ROOT_CONTEXT);
    if (span === undefined) return;
    contexts.delete(request);
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  app.addHook('onResponse', end);
  app.addHook('onRequestAbort', async (request) => {
    const span = trace.getSpan(contexts.get(request) ?? ROOT_CONTEXT);
    contexts.delete(request);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
    span?.end();
  });

  app.addHook('onRoute', (routeOptions) => {
    const handler = routeOptions.handler;
    const traced: RouteHandlerMethod = function (this: FastifyInstance, request, reply) {
      const ctx = contexts.get(request);
      return ctx === undefined
        ? handler.call(this, request, reply)
        : context.with(ctx, handler, this, request, reply);
    };
    routeOptions.handler = traced;
  });
}

/**
 * Runs `fn` in a span of another trace, the one `traceparent` names (a charge's, kept in the
 * PaymentIntent's metadata), linked to the current request's span: a webhook's HTTP request belongs
 * to Stripe's delivery, but the signal it sends belongs to the charge. Without a tracer or a valid
 * traceparent, `fn` just runs.
 */
export async function inTraceOf<T>(
  tracer: Tracer | undefined,
  traceparent: string | undefined,
  spanName: string,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = contextOfTraceparent(traceparent);
  if (tracer === undefined || parent === undefined) return fn();
  const request = trace.getActiveSpan()?.spanContext();
  const span = tracer.startSpan(
    spanName,
    {
      kind: SpanKind.INTERNAL,
      links: request && trace.isSpanContextValid(request) ? [{ context: request }] : [],
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
