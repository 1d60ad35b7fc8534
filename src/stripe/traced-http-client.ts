/**
 * Stripe's HTTP calls as CLIENT spans (method and path; never the body, which may name a customer),
 * each carrying the W3C `traceparent`, so one charge's trace shows how long Stripe took and what it
 * answered, inside the activity that called it.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import Stripe from 'stripe';

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

export function tracedStripeHttpClient(
  tracer: Tracer,
  inner: HttpClient = Stripe.createNodeHttpClient(),
): HttpClient {
  return {
    getClientName: () => inner.getClientName(),
    makeRequest(host, port, path, method, headers, requestData, protocol, timeout) {
      // The path without its query: a list's query may carry an email or other search terms.
      const route = path.split('?')[0] ?? path;
      const span = tracer.startSpan(`stripe ${method} ${route}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': host,
          'server.port': Number(port),
          'url.path': route,
        },
      });
      const ctx = trace.setSpan(context.active(), span);
      const withTrace = { ...headers };
      propagation.inject(ctx, withTrace);
      return context
        .with(ctx, () =>
          inner.makeRequest(host, port, path, method, withTrace, requestData, protocol, timeout),
        )
        .then(
          (response) => {
            const status = response.getStatusCode();
            span.setAttribute('http.response.status_code', status);
            if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
            span.end();
            return response;
          },
          (err: unknown) => {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: err instanceof Error ? err.message : String(err),
            });
            span.end();
            throw err;
          },
        );
    },
  };
}
