/** Stripe webhook deliveries as Stripe sends them: the event JSON and its Stripe-Signature header. */
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/clients/stripe';

const signer = new Stripe('sk_test_benchsigner');
let sequence = 0;

/** payment_intent.succeeded for one of our PaymentIntents (metadata.event_id names the charge). */
export function succeededEvent(eventId: string, paymentIntentId: string): string {
  sequence += 1;
  return JSON.stringify({
    id: `evt_bench_${Date.now().toString(36)}_${sequence}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: 'payment_intent.succeeded',
    data: {
      object: {
        id: paymentIntentId,
        object: 'payment_intent',
        status: 'succeeded',
        metadata: { event_id: eventId },
        last_payment_error: null,
      },
    },
  });
}

export function signatureFor(payload: string, secret: string): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret });
}
