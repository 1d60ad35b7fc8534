/**
 * The gateway's read of a PaymentIntent for the customer's browser: its client_secret and next_action,
 * read from Stripe when the gateway answers, so neither is ever written to workflow history.
 *
 * Stripe limits reads (a default of 25 requests/s on GET /v1/payment_intents/{id}, shared with the
 * worker's reconciliation; 100 or 25 requests/s per account in live or test mode), so a read is
 * shared by every caller asking for the same PaymentIntent meanwhile, and its answer is kept for
 * a few seconds, per PaymentIntent and charge status: a storefront polling a waiting charge costs at
 * most one read per PaymentIntent per TTL, and a status change (a webhook) reads afresh. Failures
 * are not kept. The cache lives in this process's memory only and is bounded.
 */
import type Stripe from 'stripe';
import {
  ProviderUnavailableError,
  type CustomerView,
  type PaymentIntentViews,
} from '../contracts/payment-provider';
import type { Metrics } from '../observability/metrics';
import { STRIPE_GATEWAY_TIMEOUT_MS } from './client';
import { classifyStripeError, stripeErrorKind } from './errors';

/** How long a view is reused (per PaymentIntent and charge status). */
export const CUSTOMER_VIEW_TTL_MS = 5_000;
/** Views kept at most (the oldest go first): at 100 charges/s, well over the TTL's worth. */
export const CUSTOMER_VIEW_MAX_ENTRIES = 5_000;

/** Only what this module calls: a Stripe client, or a stand-in in tests. */
export interface PaymentIntentReader {
  readonly paymentIntents: {
    retrieve(
      id: string,
      params: Record<string, never>,
      options: { readonly timeout: number },
    ): Promise<Pick<Stripe.PaymentIntent, 'id' | 'client_secret' | 'next_action'>>;
  };
}

interface Entry {
  readonly view: Promise<CustomerView>;
  /** Set when the read settled; until then concurrent callers share the read in flight. */
  expiresAt: number;
}

export function customerViewOf(
  pi: Pick<Stripe.PaymentIntent, 'id' | 'client_secret' | 'next_action'>,
): CustomerView {
  if (typeof pi.client_secret !== 'string' || pi.client_secret === '') {
    // Stripe returns it with every PaymentIntent read by a secret key; without it the customer cannot pay.
    throw new ProviderUnavailableError(`Stripe returned PaymentIntent ${pi.id} without a client_secret`);
  }
  return {
    client_secret: pi.client_secret,
    next_action: (pi.next_action as unknown as Record<string, unknown> | null) ?? null,
  };
}

export function createStripeCustomerViews(deps: {
  /** The process's Stripe client: each read here sets its own, shorter timeout. */
  stripe: PaymentIntentReader;
  metrics?: Metrics | undefined;
  timeoutMs?: number;
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}): PaymentIntentViews {
  const { stripe, metrics } = deps;
  const timeout = deps.timeoutMs ?? STRIPE_GATEWAY_TIMEOUT_MS;
  const ttlMs = deps.ttlMs ?? CUSTOMER_VIEW_TTL_MS;
  const maxEntries = deps.maxEntries ?? CUSTOMER_VIEW_MAX_ENTRIES;
  const now = deps.now ?? Date.now;
  // A Map keeps insertion order: the first key is the oldest read.
  const entries = new Map<string, Entry>();

  const read = async (paymentIntentId: string): Promise<CustomerView> => {
    try {
      const pi = await stripe.paymentIntents.retrieve(paymentIntentId, {}, { timeout });
      metrics?.stripeRequests.inc({
        operation: 'payment_intents.retrieve_customer_view',
        result: 'ok',
        error: 'none',
      });
      return customerViewOf(pi);
    } catch (err) {
      if (err instanceof ProviderUnavailableError) throw err;
      const verdict = classifyStripeError(err);
      metrics?.stripeRequests.inc({
        operation: 'payment_intents.retrieve_customer_view',
        result: verdict.retryable ? 'retryable' : 'fatal',
        error: stripeErrorKind(err),
      });
      // The SDK's message only (never the error object: its raw answer could carry the secret).
      const message = err instanceof Error ? err.message : String(err);
      const retryAfter = verdict.retryable ? verdict.retryAfterMs : undefined;
      throw new ProviderUnavailableError(
        `Stripe could not be asked for PaymentIntent ${paymentIntentId}: ${message}`,
        retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000),
      );
    }
  };

  return {
    customerView(paymentIntentId, chargeStatus) {
      const key = `${paymentIntentId}\u0000${chargeStatus}`;
      const at = now();
      // Views are read in insertion order, so the expired ones are at the front: drop them, so no
      // secret outlives its TTL here by much (an unsettled read, never expired, stops the sweep).
      for (const [oldKey, old] of entries) {
        if (old.expiresAt > at) break;
        entries.delete(oldKey);
      }
      const cached = entries.get(key);
      if (cached !== undefined && at < cached.expiresAt) {
        metrics?.customerViewReads.inc({ source: 'cache' });
        return cached.view;
      }
      metrics?.customerViewReads.inc({ source: 'stripe' });
      const entry: Entry = { view: read(paymentIntentId), expiresAt: Infinity };
      entries.delete(key);
      entries.set(key, entry);
      entry.view.then(
        () => {
          entry.expiresAt = now() + ttlMs;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
      return entry.view;
    },
  };
}
