/**
 * ChargeWorkflow: one per event_id, ever. Creates the PaymentIntent, waits for Stripe's verdict
 * (signalled by the webhook receiver), publishes the outcome to Kafka and returns the final record.
 * Deterministic: no I/O, no Node built-ins; activities are imported as types only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ChargeActivities } from '../activities';
import { isTerminal, type ChargeRecord, type ChargeWorkflowInput } from '../contracts/charge';
import { formatAmount } from '../contracts/currency';
import type { PaymentEventV1 } from '../contracts/payment-event';
import { NON_RETRYABLE_STRIPE_ERRORS, type StripeFailureDetails } from '../contracts/stripe-failure';
import {
  applyPaymentIntent,
  applyStripeEvent,
  failCharge,
  initialChargeState,
  toChargeRecord,
  type ChargeState,
} from './charge-state';
import {
  ChargeStatusSearchAttribute,
  PaymentIntentIdSearchAttribute,
  chargeStateQuery,
  stripeEventSignal,
  type StripeEventPayload,
} from './messages';

const { createPaymentIntent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '30 seconds',
  // Stripe keeps an idempotency key for 24 h: every retry must happen well inside that window,
  // or a late retry could create a second PaymentIntent.
  scheduleToCloseTimeout: '23 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [...NON_RETRYABLE_STRIPE_ERRORS],
  },
});

const { publishPaymentEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  // No maximumAttempts and no schedule-to-close (unlimited is the default): a Kafka outage delays
  // the event, never drops it.
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The workflow sandbox replaces Date with the deterministic workflow clock, so this replays safely. */
function workflowNow(): string {
  return new Date().toISOString();
}

function stripeFailureOf(err: unknown): StripeFailureDetails | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const cause = err.cause;
  if (!cause.type || !NON_RETRYABLE_STRIPE_ERRORS.includes(cause.type)) return undefined;
  return cause.details?.[0] as StripeFailureDetails | undefined;
}

export async function ChargeWorkflow(input: ChargeWorkflowInput): Promise<ChargeRecord> {
  const { request } = input;
  const amountText = formatAmount(request.amount, request.currency);
  let state: ChargeState = initialChargeState(request, workflowNow());
  // Events that arrive before the PaymentIntent id is known cannot be checked against it yet.
  const earlyEvents: StripeEventPayload[] = [];

  const setState = (next: ChargeState): void => {
    const changed = next.status !== state.status || next.paymentIntentId !== state.paymentIntentId;
    state = next;
    if (!changed) return;
    upsertSearchAttributes([
      { key: ChargeStatusSearchAttribute, value: state.status },
      ...(state.paymentIntentId
        ? [{ key: PaymentIntentIdSearchAttribute, value: state.paymentIntentId }]
        : []),
    ]);
    log.info('charge status changed', { status: state.status, payment_intent_id: state.paymentIntentId });
  };

  const applyEvent = (event: StripeEventPayload): void => {
    const verdict = applyStripeEvent(state, event, workflowNow());
    if (!verdict.applied)
      log.info('stripe event ignored', { stripe_event_id: event.stripe_event_id, reason: verdict.reason });
    setState(verdict.state);
  };

  setHandler(chargeStateQuery, () => toChargeRecord(state));
  setHandler(stripeEventSignal, (event) => {
    if (state.paymentIntentId === null && !isTerminal(state.status)) earlyEvents.push(event);
    else applyEvent(event);
  });

  try {
    const pi = await createPaymentIntent.executeWithOptions(
      { summary: `Create Stripe PaymentIntent for ${amountText}` },
      [request],
    );
    setState(applyPaymentIntent(state, pi, workflowNow()));
    for (const event of earlyEvents.splice(0)) applyEvent(event);
  } catch (err) {
    const failure = stripeFailureOf(err);
    if (failure === undefined) throw err;
    setState(failCharge(state, failure.failure, failure.payment_intent_id, workflowNow()));
  }

  await condition(() => isTerminal(state.status));

  const record = toChargeRecord(state);
  const event: PaymentEventV1 = {
    event_id: record.event_id,
    order_id: record.order_id,
    payment_intent_id: record.payment_intent_id,
    amount: record.amount,
    currency: record.currency,
    status: record.status as PaymentEventV1['status'],
    ...(record.failure ? { failure: record.failure } : {}),
    occurred_at: record.updated_at,
  };
  const topicText = record.status === 'succeeded' ? 'payments.completed' : 'payments.failed';
  await publishPaymentEvent.executeWithOptions({ summary: `Publish ${record.status} to ${topicText}` }, [
    event,
  ]);
  return record;
}
