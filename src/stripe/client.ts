import Stripe from 'stripe';
import type { Config } from '../config';

/**
 * Pinned so a Stripe account upgrade cannot silently change the shapes our activities read.
 * It is the version this SDK release was generated for.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type StripeClient = Stripe;

export function createStripeClient(config: {
  stripe: Pick<Config['stripe'], 'key' | 'apiBase'>;
}): StripeClient {
  const base = config.stripe.apiBase;
  return new Stripe(config.stripe.key, {
    apiVersion: STRIPE_API_VERSION,
    // Temporal owns retries (one policy, visible in the Web UI); the SDK must not add its own.
    maxNetworkRetries: 0,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'bookstore-payments-service' },
    ...(base ? { protocol: base.protocol, host: base.host, port: base.port } : {}),
  });
}
