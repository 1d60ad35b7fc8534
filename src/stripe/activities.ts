import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import {
  cancelIdempotencyKey,
  captureIdempotencyKey,
  isManualCapture,
  paymentIntentIdempotencyKey,
} from '../contracts/charge';
import type { PaymentProviderActivities } from '../contracts/payment-provider';
import { refundIdempotencyKey } from '../contracts/refund';
import type { Metrics } from '../observability/metrics';
import { classifyStripeError, stripeErrorKind, toActivityFailure } from './errors';
import { scheduledTraceparent } from '../observability/tracing';
import {
  customerActionOf,
  ourMetadataOf,
  paymentIntentOutcomeOf,
  refundOutcomeOf,
  TRACEPARENT_METADATA_KEY,
} from './translate';

/** The payment provider's activities, implemented on Stripe's API. */
export function createStripeActivities(deps: {
  stripe: Stripe;
  metrics: Metrics | undefined;
}): PaymentProviderActivities {
  const { stripe, metrics } = deps;

  async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      metrics?.stripeRequests.inc({ operation, result: 'ok', error: 'none' });
      return result;
    } catch (err) {
      const verdict = classifyStripeError(err);
      metrics?.stripeRequests.inc({
        operation,
        result: verdict.retryable ? 'retryable' : 'fatal',
        error: stripeErrorKind(err),
      });
      Context.current().log.warn(`Stripe ${operation} failed`, {
        retryable: verdict.retryable,
        error: err instanceof Error ? err.message : String(err),
      });
      throw toActivityFailure(err, verdict, Context.current().info.attempt);
    }
  }

  return {
    /**
     * Creates (and, with a payment method, confirms) the PaymentIntent for a charge.
     * The idempotency key depends on event_id alone (and the key generation, which only moves on
     * after the workflow has looked the PaymentIntent up), so every retry on every worker returns the
     * PaymentIntent the first attempt created instead of creating another.
     */
    async createPaymentIntent(request, keyGeneration = 1) {
      // The charge's trace, so the webhook receiver's signal joins it (src/stripe/translate.ts); the
      // scheduling span's, equal on every attempt, as the idempotency key requires equal parameters.
      const traceparent = scheduledTraceparent();
      const params: Stripe.PaymentIntentCreateParams = {
        amount: request.amount,
        currency: request.currency,
        metadata: {
          ...request.metadata,
          event_id: request.event_id,
          order_id: request.order_id,
          ...(traceparent !== undefined ? { [TRACEPARENT_METADATA_KEY]: traceparent } : {}),
        },
        ...(request.customer_id ? { customer: request.customer_id } : {}),
        ...(request.description ? { description: request.description } : {}),
        // Authorize only: the money is captured later (capturePaymentIntent). The latest charge is
        // expanded so its card's capture_before says when the hold expires.
        ...(isManualCapture(request) ? { capture_method: 'manual' as const, expand: ['latest_charge'] } : {}),
        // With a payment method the PaymentIntent is confirmed here. Without a return_url nobody
        // is there to authenticate (the dispatcher charging a saved card): off-session, and a bank
        // that wants 3-D Secure declines with authentication_required. A return_url says the
        // customer is in the checkout and can be redirected: on-session, so Stripe asks
        // (requires_action, next_action redirect_to_url) instead of declining. Without a payment
        // method, the customer's browser confirms it with the client_secret (Stripe.js).
        ...(request.payment_method
          ? {
              payment_method: request.payment_method,
              confirm: true,
              ...(request.return_url ? { return_url: request.return_url } : { off_session: true }),
            }
          : {}),
      };
      const idempotencyKey = paymentIntentIdempotencyKey(request.event_id, keyGeneration);
      const pi = await callStripe('payment_intents.create', () =>
        stripe.paymentIntents.create(params, { idempotencyKey }),
      );
      Context.current().log.info('PaymentIntent created', { payment_intent_id: pi.id, status: pi.status });
      // With what the customer's browser needs: the workflow keeps it (encrypted), GET reads it there.
      return { ...paymentIntentOutcomeOf(pi), ...customerActionOf(pi) };
    },

    /**
     * The PaymentIntent as Stripe has it now: reconciliation when webhooks are late or lost, and the
     * one read of a client_secret for a charge started before the workflow kept it.
     */
    async retrievePaymentIntent(input) {
      const pi = await callStripe('payment_intents.retrieve', () =>
        // The charge expanded, so reconciling a manual-capture charge reads its card's capture_before
        // (when the hold expires), as the create does; the same one request either way.
        stripe.paymentIntents.retrieve(input.payment_intent_id, { expand: ['latest_charge'] }),
      );
      return { ...paymentIntentOutcomeOf(pi), ...customerActionOf(pi) };
    },

    /**
     * The PaymentIntent a dispute names, with our metadata: a dispute carries none of it, and the
     * charge's workflow may be gone, so the order is found where Stripe keeps it.
     */
    async retrievePaymentIntentForDispute(input) {
      const pi = await callStripe('payment_intents.retrieve', () =>
        stripe.paymentIntents.retrieve(input.payment_intent_id),
      );
      return { ...paymentIntentOutcomeOf(pi), metadata: ourMetadataOf(pi) };
    },

    /**
     * Finds the PaymentIntent a charge created, by our metadata. Used before creating with a new
     * idempotency key, once the old key may have expired at Stripe (24 h), so a late retry adopts
     * the first PaymentIntent instead of charging twice. Also how a refund finds a charge whose
     * workflow the namespace's retention has removed: its metadata names the order, `created` dates it.
     */
    async findPaymentIntentByEventId(input) {
      const eventId = input.event_id;
      const result = await callStripe('payment_intents.search', () =>
        stripe.paymentIntents.search({ query: `metadata['event_id']:'${eventId}'`, limit: 10 }),
      );
      const ours = result.data.filter((pi) => pi.metadata?.['event_id'] === eventId);
      // Prefer one that is further along: a succeeded PaymentIntent must never be ignored.
      const best = ours.find((pi) => pi.status === 'succeeded') ?? ours[0];
      // With the customer's action, for a charge that adopts it (a refund's look-up gets it too: only
      // encrypted in its history, never shown).
      return best
        ? {
            ...paymentIntentOutcomeOf(best),
            ...customerActionOf(best),
            metadata: ourMetadataOf(best),
            created: best.created,
          }
        : null;
    },

    /**
     * Refunds part or all of the charge. The key derives from the caller's refund_id, so every
     * retry of this refund returns the same Stripe refund instead of refunding again.
     */
    async createRefund(input) {
      const refund = await callStripe('refunds.create', () =>
        stripe.refunds.create(
          {
            payment_intent: input.payment_intent_id,
            amount: input.amount,
            ...(input.reason ? { reason: input.reason } : {}),
            metadata: { event_id: input.event_id, order_id: input.order_id, refund_id: input.refund_id },
          },
          { idempotencyKey: refundIdempotencyKey(input.refund_id) },
        ),
      );
      Context.current().log.info('refund created', { stripe_refund_id: refund.id, status: refund.status });
      return refundOutcomeOf(refund);
    },

    /** The refund made under our refund_id on this PaymentIntent (its metadata), or null. */
    async findRefund(input) {
      const list = await callStripe('refunds.list', () =>
        stripe.refunds.list({ payment_intent: input.payment_intent_id, limit: 100 }),
      );
      const ours = list.data.find((r) => r.metadata?.['refund_id'] === input.refund_id);
      return ours ? refundOutcomeOf(ours) : null;
    },

    /** A refund as Stripe has it now (one that was pending when it was created). */
    async retrieveRefund(input) {
      return refundOutcomeOf(
        await callStripe('refunds.retrieve', () => stripe.refunds.retrieve(input.stripe_refund_id)),
      );
    },

    /** Captures an authorized PaymentIntent once per charge (the key is derived from event_id). */
    async capturePaymentIntent(input) {
      const pi = await callStripe('payment_intents.capture', () =>
        stripe.paymentIntents.capture(
          input.payment_intent_id,
          { amount_to_capture: input.amount_to_capture, expand: ['latest_charge'] },
          { idempotencyKey: captureIdempotencyKey(input.event_id) },
        ),
      );
      Context.current().log.info('PaymentIntent captured', {
        payment_intent_id: pi.id,
        status: pi.status,
        amount_received: pi.amount_received,
      });
      return paymentIntentOutcomeOf(pi);
    },

    /** Cancels the PaymentIntent (idempotently: the key is derived from event_id). */
    async cancelPaymentIntent(input) {
      const pi = await callStripe('payment_intents.cancel', () =>
        stripe.paymentIntents.cancel(
          input.payment_intent_id,
          { cancellation_reason: input.reason },
          { idempotencyKey: cancelIdempotencyKey(input.event_id, input.reason) },
        ),
      );
      return paymentIntentOutcomeOf(pi);
    },
  };
}
