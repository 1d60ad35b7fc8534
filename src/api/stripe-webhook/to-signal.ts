import type Stripe from 'stripe';
import type { StripeEventPayload } from '../../workflows/messages';

export type RoutedEvent =
  | {
      readonly kind: 'charge';
      readonly eventId: string;
      /** For logs only: one grep by order_id follows the charge here too. */
      readonly orderId: string | undefined;
      readonly payload: StripeEventPayload;
    }
  | { readonly kind: 'ignored'; readonly reason: 'not_a_payment_intent_event' | 'not_ours' };

/** Picks the charge a verified event belongs to (by our metadata.event_id) and what it says. */
export function routeStripeEvent(event: Stripe.Event): RoutedEvent {
  if (!event.type.startsWith('payment_intent.'))
    return { kind: 'ignored', reason: 'not_a_payment_intent_event' };
  const pi = event.data.object as Stripe.PaymentIntent;
  const eventId = pi.metadata?.['event_id'];
  if (typeof eventId !== 'string' || eventId === '') return { kind: 'ignored', reason: 'not_ours' };
  const error = pi.last_payment_error;
  return {
    kind: 'charge',
    eventId,
    orderId: pi.metadata?.['order_id'],
    payload: {
      stripe_event_id: event.id,
      type: event.type,
      created: event.created,
      payment_intent_id: pi.id,
      payment_intent_status: pi.status,
      failure: error
        ? {
            code: error.code ?? error.type,
            message: error.message ?? 'payment failed',
            ...(error.decline_code ? { decline_code: error.decline_code } : {}),
          }
        : null,
    },
  };
}
