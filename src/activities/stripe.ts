import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import {
  cancelIdempotencyKey,
  paymentIntentIdempotencyKey,
  type ChargeFailure,
  type ChargeRequest,
} from '../contracts/charge';
import { refundIdempotencyKey } from '../contracts/refund';
import type { Metrics } from '../observability/metrics';
import { classifyStripeError, toActivityFailure } from './stripe-errors';

export interface RefundOutcome {
  readonly stripe_refund_id: string;
  /** Stripe's refund status: pending, requires_action, succeeded, failed or canceled. */
  readonly status: string;
  readonly failure: ChargeFailure | null;
}

export interface PaymentIntentOutcome {
  readonly id: string;
  readonly status: string;
  readonly failure: ChargeFailure | null;
}

function outcomeOf(pi: Stripe.PaymentIntent): PaymentIntentOutcome {
  const error = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status,
    failure: error
      ? {
          code: error.code ?? error.type,
          message: error.message ?? 'payment failed',
          ...(error.decline_code ? { decline_code: error.decline_code } : {}),
        }
      : null,
  };
}

/** Every activity names its charge: the log interceptor puts these ids on each of its log lines. */
export interface ChargeRef {
  readonly event_id: string;
  readonly order_id: string;
}

export function createStripeActivities(deps: { stripe: Stripe; metrics: Metrics | undefined }) {
  const { stripe, metrics } = deps;

  async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      metrics?.stripeRequests.inc({ operation, result: 'ok' });
      return result;
    } catch (err) {
      const verdict = classifyStripeError(err);
      metrics?.stripeRequests.inc({ operation, result: verdict.retryable ? 'retryable' : 'fatal' });
      Context.current().log.warn(`Stripe ${operation} failed`, {
        retryable: verdict.retryable,
        error: err instanceof Error ? err.message : String(err),
      });
      throw toActivityFailure(err, verdict);
    }
  }

  return {
    /**
     * Creates (and, with a payment method, confirms off-session) the PaymentIntent for a charge.
     * The idempotency key depends on event_id alone (and the key generation, which only moves on
     * after the workflow has looked the PaymentIntent up), so every retry on every worker returns the
     * PaymentIntent the first attempt created instead of creating another.
     */
    async createPaymentIntent(request: ChargeRequest, keyGeneration = 1): Promise<PaymentIntentOutcome> {
      const params: Stripe.PaymentIntentCreateParams = {
        amount: request.amount,
        currency: request.currency,
        metadata: { ...request.metadata, event_id: request.event_id, order_id: request.order_id },
        ...(request.customer_id ? { customer: request.customer_id } : {}),
        ...(request.description ? { description: request.description } : {}),
        ...(request.payment_method
          ? { payment_method: request.payment_method, confirm: true, off_session: true }
          : {}),
      };
      const idempotencyKey = paymentIntentIdempotencyKey(request.event_id, keyGeneration);
      const pi = await callStripe('payment_intents.create', () =>
        stripe.paymentIntents.create(params, { idempotencyKey }),
      );
      Context.current().log.info('PaymentIntent created', { payment_intent_id: pi.id, status: pi.status });
      return outcomeOf(pi);
    },

    /** The PaymentIntent as Stripe has it now: reconciliation when webhooks are late or lost. */
    async retrievePaymentIntent(
      input: ChargeRef & { payment_intent_id: string },
    ): Promise<PaymentIntentOutcome> {
      return outcomeOf(
        await callStripe('payment_intents.retrieve', () =>
          stripe.paymentIntents.retrieve(input.payment_intent_id),
        ),
      );
    },

    /**
     * Finds the PaymentIntent a charge created, by our metadata. Used before creating with a new
     * idempotency key, once the old key may have expired at Stripe (24 h), so a late retry adopts
     * the first PaymentIntent instead of charging twice.
     */
    async findPaymentIntentByEventId(input: ChargeRef): Promise<PaymentIntentOutcome | null> {
      const eventId = input.event_id;
      const result = await callStripe('payment_intents.search', () =>
        stripe.paymentIntents.search({ query: `metadata['event_id']:'${eventId}'`, limit: 10 }),
      );
      const ours = result.data.filter((pi) => pi.metadata?.['event_id'] === eventId);
      // Prefer one that is further along: a succeeded PaymentIntent must never be ignored.
      const best = ours.find((pi) => pi.status === 'succeeded') ?? ours[0];
      return best ? outcomeOf(best) : null;
    },

    /**
     * Refunds part or all of the charge. The key derives from the caller's refund_id, so every
     * retry of this refund returns the same Stripe refund instead of refunding again.
     */
    async createRefund(
      input: ChargeRef & {
        refund_id: string;
        payment_intent_id: string;
        amount: number;
        reason: Stripe.RefundCreateParams.Reason | null;
      },
    ): Promise<RefundOutcome> {
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
      return {
        stripe_refund_id: refund.id,
        status: refund.status ?? 'pending',
        failure: refund.failure_reason ? { code: refund.failure_reason, message: 'refund failed' } : null,
      };
    },

    /** Cancels the PaymentIntent (idempotently: the key is derived from event_id). */
    async cancelPaymentIntent(
      input: ChargeRef & {
        payment_intent_id: string;
        reason: Stripe.PaymentIntentCancelParams.CancellationReason;
      },
    ): Promise<PaymentIntentOutcome> {
      const pi = await callStripe('payment_intents.cancel', () =>
        stripe.paymentIntents.cancel(
          input.payment_intent_id,
          { cancellation_reason: input.reason },
          { idempotencyKey: cancelIdempotencyKey(input.event_id) },
        ),
      );
      return outcomeOf(pi);
    },
  };
}
