import type Stripe from 'stripe';
import type { ProviderWebhooks, RoutedEvent } from '../contracts/payment-provider';
import { routeStripeEvent } from './translate';

/**
 * Verifies Stripe-Signature over the raw bytes with each configured secret in turn, so a secret can
 * be rotated (old and new both listed) without rejecting deliveries signed with either.
 */
export function verifyStripeEvent(
  stripe: Stripe,
  rawBody: Buffer,
  signature: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
): Stripe.Event | undefined {
  if (signature === undefined || signature === '') return undefined;
  // The SDK rejects a signature older than the tolerance but accepts one from the future; a
  // timestamp ahead of our clock by more than the tolerance is refused too (replay window both ways).
  // The SDK signs over the last `t=` when several are sent, so that is the one to bound.
  const timestamp = Number([...signature.matchAll(/(?:^|,)t=(\d+)/g)].at(-1)?.[1]);
  if (!Number.isFinite(timestamp) || timestamp - Date.now() / 1000 > toleranceSeconds) return undefined;
  for (const secret of secrets) {
    try {
      return stripe.webhooks.constructEvent(rawBody, signature, secret, toleranceSeconds);
    } catch {
      // Try the next secret; the caller reports one generic failure.
    }
  }
  return undefined;
}

/**
 * The webhook receiver's view of Stripe: verify with the configured secrets, then translate. An
 * event from the other mode than our key's (a test-mode event at a live receiver, or the reverse)
 * is never applied: the same ids can name different money in the two modes.
 */
export function createStripeWebhooks(
  stripe: Stripe,
  options: { secrets: readonly string[]; toleranceSeconds: number; livemode: boolean },
): ProviderWebhooks {
  return {
    verify(rawBody, signature) {
      const event = verifyStripeEvent(stripe, rawBody, signature, options.secrets, options.toleranceSeconds);
      if (event === undefined) return undefined;
      const routed: RoutedEvent =
        event.livemode === options.livemode
          ? routeStripeEvent(event)
          : { kind: 'ignored', reason: 'livemode_mismatch' };
      return { id: event.id, type: event.type, routed };
    },
  };
}
