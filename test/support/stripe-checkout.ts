/**
 * What Stripe answers about a PaymentIntent the customer's browser is to finish, played in front of
 * stripe-mock by the recording proxy: stripe-mock is stateless and answers every PaymentIntent with
 * one fixture (one client_secret for all, a placeholder next_action). These rewrite its answers into
 * Stripe's: a client_secret of each PaymentIntent's own, and a next_action only when the bank asks
 * for authentication, whose redirect URL carries the client_secret as Stripe's does.
 */
import { createHash } from 'node:crypto';
import type { StripeAnswerRewrite } from './stripe-recording-proxy';

type Body = Record<string, unknown>;

/** The PaymentIntent's client_secret as Stripe shapes it (`pi_…_secret_…`), the same on every read. */
export function clientSecretOf(paymentIntentId: string): string {
  const digest = createHash('sha256').update(`client-secret:${paymentIntentId}`).digest('hex');
  return `${paymentIntentId}_secret_${digest.slice(0, 24)}`;
}

/** The next_action of a PaymentIntent whose customer's bank asks for a redirect (3-D Secure). */
export function redirectNextAction(paymentIntentId: string, returnUrl: string | null): Body {
  const query = new URLSearchParams({
    merchant: 'acct_test_checkout',
    payment_intent: paymentIntentId,
    payment_intent_client_secret: clientSecretOf(paymentIntentId),
    publishable_key: 'pk_test_checkout',
  });
  return {
    type: 'redirect_to_url',
    redirect_to_url: {
      url: `https://hooks.stripe.com/3d_secure_2/hosted?${query.toString()}`,
      return_url: returnUrl,
    },
  };
}

/** A PaymentIntent that waits for the customer to pay (no payment method yet). */
export function waitingForCustomer(body: Body, id = String(body['id'])): Body {
  return {
    ...body,
    id,
    status: 'requires_payment_method',
    client_secret: clientSecretOf(id),
    next_action: null,
    last_payment_error: null,
  };
}

/** A PaymentIntent whose confirmation needs the customer to authenticate (redirect-based). */
export function requiresAction(body: Body, returnUrl: string | null, id = String(body['id'])): Body {
  return {
    ...body,
    id,
    status: 'requires_action',
    client_secret: clientSecretOf(id),
    next_action: redirectNextAction(id, returnUrl),
    last_payment_error: null,
  };
}

/** The PaymentIntent id a retrieve is for (`GET /v1/payment_intents/pi_…`), or undefined. */
export function retrievedId(path: string): string | undefined {
  return /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)$/.exec(path)?.[1];
}

/**
 * One rewrite for every PaymentIntent create and retrieve: each create is answered as `scenarioOf`
 * says for its charge (by metadata[event_id]; waiting for the customer unless it says otherwise), and
 * each later retrieve of that PaymentIntent the same way, as a stateful Stripe would.
 */
export function checkoutStripe(
  scenarioOf: (eventId: string) => { readonly requiresAction?: boolean } | undefined = () => undefined,
): StripeAnswerRewrite {
  const byPaymentIntent = new Map<string, (body: Body, id: string) => Body>();
  return (body, request) => {
    if (request.method === 'POST' && request.path === '/v1/payment_intents') {
      const scenario = scenarioOf(request.params['metadata[event_id]'] ?? '');
      const returnUrl = request.params['return_url'] ?? null;
      const answer = scenario?.requiresAction
        ? (b: Body, id: string) => requiresAction(b, returnUrl, id)
        : (b: Body, id: string) => waitingForCustomer(b, id);
      const id = String(body['id']);
      byPaymentIntent.set(id, answer);
      return answer(body, id);
    }
    const id = request.method === 'GET' ? retrievedId(request.path) : undefined;
    if (id === undefined) return body;
    return (byPaymentIntent.get(id) ?? waitingForCustomer)(body, id);
  };
}
