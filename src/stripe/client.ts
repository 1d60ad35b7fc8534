import type { Tracer } from '@opentelemetry/api';
import Stripe from 'stripe';
import type { Config } from '../config';
import { pacedStripeHttpClient, type Pacer } from './pacer';
import { tracedStripeHttpClient } from './traced-http-client';

/**
 * Pinned so a Stripe account upgrade cannot silently change the shapes our activities read.
 * It is the version this SDK release was generated for.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type StripeClient = Stripe;

/** An activity's Stripe call may take this long (its start-to-close timeout is longer). */
export const STRIPE_TIMEOUT_MS = 20_000;
/**
 * The process's one Stripe client (service.ts builds it once and hands it to every role). With a
 * tracer, each HTTP call is a span of the trace that made it; with a pacer, each request waits its
 * slot (src/stripe/pacer.ts says why).
 */
export function createStripeClient(
  config: { stripe: Pick<Config['stripe'], 'key' | 'apiBase'> },
  options: { readonly tracer?: Tracer; readonly pacer?: Pacer } = {},
): StripeClient {
  const base = config.stripe.apiBase;
  const { tracer, pacer } = options;
  let httpClient = tracer ? tracedStripeHttpClient(tracer) : Stripe.createNodeHttpClient();
  if (pacer) httpClient = pacedStripeHttpClient(pacer, httpClient);
  return new Stripe(config.stripe.key, {
    apiVersion: STRIPE_API_VERSION,
    // Temporal owns retries (one policy, visible in the Web UI); the SDK must not add its own. The
    // gateway's reads are not retried either: its caller retries.
    maxNetworkRetries: 0,
    timeout: STRIPE_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: 'bookstore-payments-service' },
    httpClient,
    ...(base ? { protocol: base.protocol, host: base.host, port: base.port } : {}),
  });
}
