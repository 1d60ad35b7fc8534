/**
 * How workflows call Stripe activities: one retry policy (Stripe's transient errors retried with
 * backoff; card declines and invalid requests not), and reading a declined call's details.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  patched,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import {
  NON_RETRYABLE_PROVIDER_FAILURES,
  providerTaskQueue,
  type ProviderFailureDetails,
} from '../contracts/payment-provider';

export const STRIPE_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_FAILURES],
};

/**
 * Where this workflow schedules its Stripe activities: the rate-limited Stripe task queue. Call it
 * once, at the workflow's start. Workflows started before that queue existed recorded no marker and
 * keep scheduling on their own queue, so their histories replay unchanged.
 */
export function stripeActivityQueue(): { taskQueue?: string } {
  return patched('stripe-task-queue') ? { taskQueue: providerTaskQueue(workflowInfo().taskQueue) } : {};
}

/** Kafka publishes: no attempt limit (an outage delays an event, never drops it). */
export const PUBLISH_RETRY: RetryPolicy = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
};

/** The details of a Stripe refusal that ends the operation (decline, invalid request), else undefined. */
export function stripeFailureOf(err: unknown): ProviderFailureDetails | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const cause = err.cause;
  if (!cause.type || !NON_RETRYABLE_PROVIDER_FAILURES.includes(cause.type)) return undefined;
  return cause.details?.[0] as ProviderFailureDetails | undefined;
}
