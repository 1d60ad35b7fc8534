/**
 * Stripe webhook deliveries as Stripe sends them, for everything that plays Stripe here (`npm run
 * webhook`, the tests, the bench, the chaos runs): payment_intent.* and charge.dispute.* events and
 * their Stripe-Signature.
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

/** The charge.dispute.* events Stripe sends, by the short name `npm run webhook` takes. */
export const DISPUTE_EVENT_TYPES = {
  created: 'charge.dispute.created',
  updated: 'charge.dispute.updated',
  funds_withdrawn: 'charge.dispute.funds_withdrawn',
  funds_reinstated: 'charge.dispute.funds_reinstated',
  closed: 'charge.dispute.closed',
} as const;

export interface DisputeEventOptions {
  readonly stripeEventId?: string;
  readonly type: keyof typeof DISPUTE_EVENT_TYPES;
  readonly disputeId: string;
  /** The PaymentIntent disputed; null for a charge made without one. */
  readonly paymentIntentId: string | null;
  readonly chargeId?: string;
  /** Stripe's dispute status: needs_response, under_review, won, lost, warning_needs_response, … */
  readonly status: string;
  readonly reason?: string;
  readonly amount: number;
  readonly currency: string;
  readonly created?: number;
  /** evidence_details.due_by (unix seconds); null when none is asked for. */
  readonly dueBy?: number | null;
  readonly submissionCount?: number;
  /** Whether the Dispute lists the withdrawal (and the reinstatement) among its balance transactions. */
  readonly withdrawn?: boolean;
  readonly reinstated?: boolean;
  readonly livemode?: boolean;
}

/**
 * A charge.dispute.* event as Stripe sends it: the Dispute object (dp_… / du_…), which names the
 * PaymentIntent and the charge but carries none of our metadata. A withdrawal is a negative balance
 * transaction on the Dispute, a reinstatement a positive one.
 */
export function disputeEvent(options: DisputeEventOptions): string {
  counter += 1;
  const movement = (sign: number, category: string) => ({
    id: `txn_${category}_${options.disputeId}`,
    object: 'balance_transaction',
    amount: sign * options.amount,
    currency: options.currency,
    reporting_category: category,
    type: 'adjustment',
  });
  const withdrawn = options.withdrawn === true || options.reinstated === true;
  return JSON.stringify({
    id: options.stripeEventId ?? `evt_dispute_${Date.now()}_${counter}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: options.livemode ?? false,
    type: DISPUTE_EVENT_TYPES[options.type],
    data: {
      object: {
        id: options.disputeId,
        object: 'dispute',
        amount: options.amount,
        currency: options.currency,
        charge: options.chargeId ?? `ch_for_${options.disputeId}`,
        payment_intent: options.paymentIntentId,
        status: options.status,
        reason: options.reason ?? 'fraudulent',
        is_charge_refundable: false,
        livemode: options.livemode ?? false,
        metadata: {},
        balance_transactions: [
          ...(withdrawn ? [movement(-1, 'dispute')] : []),
          ...(options.reinstated === true ? [movement(1, 'dispute_reversal')] : []),
        ],
        evidence_details: {
          due_by: options.dueBy === undefined ? null : options.dueBy,
          has_evidence: (options.submissionCount ?? 0) > 0,
          past_due: false,
          submission_count: options.submissionCount ?? 0,
        },
      },
    },
  });
}

/**
 * The steps of a dispute's life `npm run webhook -- <event_id> dispute <step>` plays, each the event
 * Stripe sends and the Dispute as it stands then. A chargeback: created → funds_withdrawn →
 * under_review (evidence submitted) → won | lost (→ funds_reinstated after a win); an inquiry:
 * inquiry → inquiry_closed.
 */
export const DISPUTE_STEPS = {
  created: { type: 'created', status: 'needs_response' },
  funds_withdrawn: { type: 'funds_withdrawn', status: 'needs_response', withdrawn: true },
  under_review: { type: 'updated', status: 'under_review', withdrawn: true, submissionCount: 1 },
  won: { type: 'closed', status: 'won', withdrawn: true, submissionCount: 1 },
  lost: { type: 'closed', status: 'lost', withdrawn: true },
  funds_reinstated: { type: 'funds_reinstated', status: 'won', reinstated: true, submissionCount: 1 },
  inquiry: { type: 'created', status: 'warning_needs_response' },
  inquiry_closed: { type: 'closed', status: 'warning_closed' },
} as const satisfies Record<
  string,
  Pick<DisputeEventOptions, 'type' | 'status' | 'withdrawn' | 'reinstated' | 'submissionCount'>
>;
export type DisputeStep = keyof typeof DISPUTE_STEPS;
