import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import { paymentIntentIdempotencyKey, type ChargeFailure, type ChargeRequest } from '../contracts/charge';
import type { Metrics } from '../observability/metrics';
import { classifyStripeError, toActivityFailure } from './stripe-errors';

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
     * The idempotency key depends on event_id alone, so every retry on every worker returns the
     * PaymentIntent the first attempt created instead of creating another.
     */
    async createPaymentIntent(request: ChargeRequest): Promise<PaymentIntentOutcome> {
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
      const pi = await callStripe('payment_intents.create', () =>
        stripe.paymentIntents.create(params, {
          idempotencyKey: paymentIntentIdempotencyKey(request.event_id),
        }),
      );
      return outcomeOf(pi);
    },
  };
}
