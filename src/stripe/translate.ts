/**
 * The one translation from Stripe's objects and events to our contracts: PaymentIntents, refunds,
 * their failures, and which workflow a webhook event is for.
 */
import type Stripe from 'stripe';
import type { ChargeFailure } from '../contracts/charge';
import type {
  CustomerActionOf,
  DisputeEventPayload,
  HoldOf,
  PaymentIntentOutcome,
  RefundEventPayload,
  RefundOutcome,
  RoutedEvent,
} from '../contracts/payment-provider';
import { refundStatusOf } from '../contracts/refund';

/** What Stripe says went wrong, from an API error or a PaymentIntent's last_payment_error alike. */
export function chargeFailureOf(error: {
  readonly code?: string | undefined;
  readonly type: string;
  readonly message?: string | undefined;
  readonly decline_code?: string | undefined;
}): ChargeFailure {
  return {
    code: error.code ?? error.type,
    message: error.message ?? 'payment failed',
    ...(error.decline_code ? { decline_code: error.decline_code } : {}),
  };
}

export function paymentIntentOutcomeOf(pi: Stripe.PaymentIntent): PaymentIntentOutcome {
  const error = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status,
    failure: error ? chargeFailureOf(error) : null,
    ...(typeof pi.amount === 'number' ? { amount: pi.amount } : {}),
    ...(typeof pi.currency === 'string' ? { currency: pi.currency.toLowerCase() } : {}),
    ...holdOf(pi),
  };
}

/**
 * What the customer's browser needs of a PaymentIntent (client_secret, next_action), for the charge
 * workflow to keep (encrypted by the payload codec) and the gateway to hand out from a query. Only the
 * create, the retrieve, the lookup and PaymentIntent events carry it: nothing else needs it.
 */
export function customerActionOf(pi: Stripe.PaymentIntent): CustomerActionOf {
  if (typeof pi.client_secret !== 'string' || pi.client_secret === '') return {};
  return {
    client_secret: pi.client_secret,
    next_action: (pi.next_action as unknown as Record<string, unknown> | null | undefined) ?? null,
  };
}

/**
 * A manual-capture PaymentIntent's hold: what can be captured, what was, and (when the charge is
 * expanded) the card's capture_before. Nothing for automatic ones, whose results stay as recorded.
 */
export function holdOf(pi: Stripe.PaymentIntent): HoldOf {
  if (pi.capture_method !== 'manual') return {};
  const charge = typeof pi.latest_charge === 'object' && pi.latest_charge !== null ? pi.latest_charge : null;
  const captureBefore = charge?.payment_method_details?.card?.capture_before;
  return {
    ...(typeof pi.amount_capturable === 'number' ? { amount_capturable: pi.amount_capturable } : {}),
    ...(typeof pi.amount_received === 'number' ? { amount_received: pi.amount_received } : {}),
    ...(typeof captureBefore === 'number' ? { capture_before: captureBefore } : {}),
  };
}

/**
 * The PaymentIntent metadata key holding the charge's W3C `traceparent` (set at create), so the
 * webhook that reports the payment continues the charge's trace.
 */
export const TRACEPARENT_METADATA_KEY = 'traceparent';

/** The charge our metadata names on a PaymentIntent (set at create: event_id, order_id), if any. */
export function ourMetadataOf(pi: Stripe.PaymentIntent): { event_id?: string; order_id?: string } {
  const eventId = pi.metadata?.['event_id'];
  const orderId = pi.metadata?.['order_id'];
  return {
    ...(typeof eventId === 'string' && eventId !== '' ? { event_id: eventId } : {}),
    ...(typeof orderId === 'string' && orderId !== '' ? { order_id: orderId } : {}),
  };
}

export function refundOutcomeOf(refund: Stripe.Refund): RefundOutcome {
  return {
    stripe_refund_id: refund.id,
    status: refundStatusOf(refund.status),
    failure: refund.failure_reason ? { code: refund.failure_reason, message: 'refund failed' } : null,
  };
}

function refundPayload(event: Stripe.Event, refund: Stripe.Refund): RefundEventPayload | undefined {
  const refundId = refund.metadata?.['refund_id'];
  if (typeof refundId !== 'string' || refundId === '') return undefined;
  return {
    stripe_event_id: event.id,
    refund_id: refundId,
    ...refundOutcomeOf(refund),
    ...(typeof refund.amount === 'number' ? { amount: refund.amount } : {}),
    ...(typeof refund.currency === 'string' ? { currency: refund.currency.toLowerCase() } : {}),
  };
}

/** Our refunds among an event's refunds (refund.* carries one; charge.refunded lists them). */
function refundsOf(event: Stripe.Event): Stripe.Refund[] {
  if (event.type.startsWith('refund.')) return [event.data.object as Stripe.Refund];
  if (event.type === 'charge.refunded') return event.data.object.refunds?.data ?? [];
  return [];
}

/** The dispute events the dispute workflow follows (Stripe's charge.dispute.* family). */
export const DISPUTE_EVENT_TYPES: readonly string[] = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.dispute.closed',
];

const idOf = (ref: string | { readonly id: string } | null | undefined): string | null =>
  ref === null || ref === undefined ? null : typeof ref === 'string' ? ref : ref.id;

/**
 * What a dispute event says. The money's movements are read from the Dispute's balance transactions
 * (a withdrawal is negative, a reinstatement positive) as well as from the event's type: every later
 * Dispute object carries the earlier movements, so a late or lost funds_* event takes nothing away.
 */
export function disputePayloadOf(event: Stripe.Event, dispute: Stripe.Dispute): DisputeEventPayload {
  const movements = (dispute.balance_transactions ?? []).map((t) => (typeof t === 'string' ? 0 : t.amount));
  const reinstated = event.type === 'charge.dispute.funds_reinstated' || movements.some((a) => a > 0);
  const withdrawn =
    reinstated || event.type === 'charge.dispute.funds_withdrawn' || movements.some((a) => a < 0);
  const evidence = dispute.evidence_details;
  return {
    stripe_event_id: event.id,
    type: event.type,
    created: event.created,
    dispute_id: dispute.id,
    payment_intent_id: idOf(dispute.payment_intent),
    charge_id: idOf(dispute.charge),
    status: dispute.status,
    reason: typeof dispute.reason === 'string' ? dispute.reason : null,
    amount: dispute.amount,
    currency: dispute.currency.toLowerCase(),
    evidence_due_by: typeof evidence?.due_by === 'number' ? evidence.due_by : null,
    evidence_submission_count: evidence?.submission_count ?? 0,
    funds_withdrawn: withdrawn,
    funds_reinstated: reinstated,
  };
}

/** Picks the charge a verified event belongs to (by our metadata.event_id) and what it says. */
export function routeStripeEvent(event: Stripe.Event): RoutedEvent {
  // A Dispute names a PaymentIntent, not our charge: its workflow finds the order (dispute.ts).
  if (DISPUTE_EVENT_TYPES.includes(event.type)) {
    const dispute = event.data.object as Stripe.Dispute;
    return { kind: 'dispute', disputeId: dispute.id, payload: disputePayloadOf(event, dispute) };
  }
  if (event.type.startsWith('payment_intent.')) {
    const pi = event.data.object as Stripe.PaymentIntent;
    const eventId = pi.metadata?.['event_id'];
    if (typeof eventId !== 'string' || eventId === '') return { kind: 'ignored', reason: 'not_ours' };
    const outcome = paymentIntentOutcomeOf(pi);
    const traceparent = pi.metadata?.[TRACEPARENT_METADATA_KEY];
    return {
      kind: 'charge',
      eventId,
      orderId: pi.metadata?.['order_id'],
      ...(typeof traceparent === 'string' && traceparent !== '' ? { traceparent } : {}),
      payload: {
        stripe_event_id: event.id,
        type: event.type,
        created: event.created,
        payment_intent_id: outcome.id,
        payment_intent_status: outcome.status,
        failure: outcome.failure,
        ...(outcome.amount !== undefined ? { amount: outcome.amount } : {}),
        ...(outcome.currency !== undefined ? { currency: outcome.currency } : {}),
        ...holdOf(pi),
        // A requires_action event brings the next_action (3-D Secure), a payment_failed one clears it.
        ...customerActionOf(pi),
      },
    };
  }
  if (event.type === 'charge.expired') return routeExpiredCharge(event, event.data.object);
  const refunds = refundsOf(event);
  if (refunds.length === 0) return { kind: 'ignored', reason: 'not_a_payment_event' };
  const ours = refunds.filter((r) => typeof r.metadata?.['event_id'] === 'string');
  const eventId = ours[0]?.metadata?.['event_id'];
  const payloads = ours.flatMap((r) => refundPayload(event, r) ?? []);
  if (eventId === undefined || payloads.length === 0) return { kind: 'ignored', reason: 'not_ours' };
  return { kind: 'refunds', eventId, orderId: ours[0]?.metadata?.['order_id'], payloads };
}

/**
 * `charge.expired`: the bank let an uncaptured authorization lapse, and Stripe cancels its
 * PaymentIntent. Stripe sends `payment_intent.canceled` too, in no promised order: whichever comes
 * first ends the authorized charge canceled with `authorization_expired`. The Charge carries the
 * PaymentIntent's metadata (our event_id); one without it is not ours.
 */
function routeExpiredCharge(event: Stripe.Event, charge: Stripe.Charge): RoutedEvent {
  const eventId = charge.metadata?.['event_id'];
  const paymentIntentId =
    typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (typeof eventId !== 'string' || eventId === '' || paymentIntentId === undefined) {
    return { kind: 'ignored', reason: 'not_ours' };
  }
  return {
    kind: 'charge',
    eventId,
    orderId: charge.metadata?.['order_id'],
    payload: {
      stripe_event_id: event.id,
      type: event.type,
      created: event.created,
      payment_intent_id: paymentIntentId,
      payment_intent_status: 'canceled',
      failure: null,
      amount: charge.amount,
      currency: charge.currency.toLowerCase(),
    },
  };
}
