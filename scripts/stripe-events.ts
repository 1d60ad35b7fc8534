/**
 * Stripe webhook deliveries as Stripe sends them, for everything that plays Stripe here (`npm run
 * webhook`, the tests, the bench, the chaos runs): a payment_intent.* event and its Stripe-Signature.
 */
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../src/stripe/client';

const signer = new Stripe('sk_test_signer_only');

export interface PaymentIntentEventOptions {
  readonly stripeEventId?: string;
  readonly type: string;
  readonly eventId?: string;
  readonly orderId?: string;
  readonly paymentIntentId?: string;
  readonly status?: string;
  readonly created?: number;
  /** The PaymentIntent's money; omitted unless given (the charge's own, in a real delivery). */
  readonly amount?: number;
  readonly currency?: string;
  /** Stripe's livemode flag; false (a test-mode event) unless given. */
  readonly livemode?: boolean;
}

let counter = 0;

/** A Stripe event as Stripe would send it for one of our PaymentIntents (metadata.event_id set). */
export function paymentIntentEvent(options: PaymentIntentEventOptions): string {
  counter += 1;
  return JSON.stringify({
    id: options.stripeEventId ?? `evt_test_${Date.now()}_${counter}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: options.livemode ?? false,
    type: options.type,
    data: {
      object: {
        id: options.paymentIntentId ?? 'pi_test',
        object: 'payment_intent',
        status: options.status ?? 'succeeded',
        ...(options.amount === undefined ? {} : { amount: options.amount }),
        ...(options.currency === undefined ? {} : { currency: options.currency }),
        metadata: {
          ...(options.eventId === undefined ? {} : { event_id: options.eventId }),
          ...(options.orderId === undefined ? {} : { order_id: options.orderId }),
        },
        last_payment_error:
          options.type === 'payment_intent.payment_failed'
            ? {
                type: 'card_error',
                code: 'card_declined',
                decline_code: 'generic_decline',
                message: 'Your card was declined.',
              }
            : null,
      },
    },
  });
}

/** The Stripe-Signature header Stripe would send, made with the SDK's own test helper. */
export function signatureFor(payload: string, secret: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });
}
