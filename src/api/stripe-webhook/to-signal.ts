import type Stripe from 'stripe';
import type { ChargeFailure } from '../../contracts/charge';
import { refundStatusFromStripe } from '../../workflows/refund-ledger';
import type { RefundEventPayload, StripeEventPayload } from '../../workflows/messages';

export type RoutedEvent =
  | {
      readonly kind: 'charge';
      readonly eventId: string;
      /** For logs only: one grep by order_id follows the charge here too. */
      readonly orderId: string | undefined;
      readonly payload: StripeEventPayload;
    }
  | {
      readonly kind: 'refunds';
      readonly eventId: string;
      readonly orderId: string | undefined;
      readonly payloads: readonly RefundEventPayload[];
    }
  | { readonly kind: 'ignored'; readonly reason: 'not_a_payment_event' | 'not_ours' };

function failureOf(error: Stripe.PaymentIntent.LastPaymentError | null | undefined): ChargeFailure | null {
  if (!error) return null;
  return {
    code: error.code ?? error.type,
    message: error.message ?? 'payment failed',
    ...(error.decline_code ? { decline_code: error.decline_code } : {}),
  };
}

function refundPayload(event: Stripe.Event, refund: Stripe.Refund): RefundEventPayload | undefined {
  const refundId = refund.metadata?.['refund_id'];
  if (typeof refundId !== 'string' || refundId === '') return undefined;
  return {
    stripe_event_id: event.id,
    refund_id: refundId,
    stripe_refund_id: refund.id,
    status: refundStatusFromStripe(refund.status),
    failure: refund.failure_reason ? { code: refund.failure_reason, message: 'refund failed' } : null,
  };
}

/** Our refunds among an event's refunds (refund.* carries one; charge.refunded lists them). */
function refundsOf(event: Stripe.Event): Stripe.Refund[] {
  if (event.type.startsWith('refund.')) return [event.data.object as Stripe.Refund];
  if (event.type === 'charge.refunded') return event.data.object.refunds?.data ?? [];
  return [];
}

/** Picks the charge a verified event belongs to (by our metadata.event_id) and what it says. */
export function routeStripeEvent(event: Stripe.Event): RoutedEvent {
  if (event.type.startsWith('payment_intent.')) {
    const pi = event.data.object as Stripe.PaymentIntent;
    const eventId = pi.metadata?.['event_id'];
    if (typeof eventId !== 'string' || eventId === '') return { kind: 'ignored', reason: 'not_ours' };
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
        failure: failureOf(pi.last_payment_error),
      },
    };
  }
  const refunds = refundsOf(event);
  if (refunds.length === 0) return { kind: 'ignored', reason: 'not_a_payment_event' };
  const ours = refunds.filter((r) => typeof r.metadata?.['event_id'] === 'string');
  const eventId = ours[0]?.metadata?.['event_id'];
  const payloads = ours.flatMap((r) => refundPayload(event, r) ?? []);
  if (eventId === undefined || payloads.length === 0) return { kind: 'ignored', reason: 'not_ours' };
  return { kind: 'refunds', eventId, orderId: ours[0]?.metadata?.['order_id'], payloads };
}
