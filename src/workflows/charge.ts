/**
 * ChargeWorkflow: one per event_id, ever. It registers its handlers and then performs, one at a time,
 * the steps its state machine decides (charge-steps.ts over charge-state.ts): create the PaymentIntent,
 * wait for Stripe's word (webhooks, or reconciliation when they are lost), cancel at Stripe when the
 * charge must end without money, publish the outcome to Kafka, return the final record.
 * Deterministic: no I/O, no Node built-ins; activities are imported as types only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { ChargeActivities } from '../activities';
import {
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  DEFAULT_CHARGE_TIMING,
  isTerminal,
  type ChargeRecord,
  type ChargeWorkflowInput,
} from '../contracts/charge';
import { formatAmount } from '../contracts/currency';
import type { PaymentEventV1 } from '../contracts/payment-event';
import { providerTaskQueue } from '../contracts/payment-provider';
import { outcomeTopic, TOPICS } from '../contracts/topics';
import { chargeDetails, type ChargeActivity } from './charge-operator-details';
import {
  AMOUNT_MISMATCH,
  confirmedHere,
  initialChargeState,
  onCancelRefused,
  onCancelRequested,
  onCanceled,
  onCreateRefused,
  onCreated,
  onCreateWindowExhausted,
  onDeadline,
  onLookupFoundNothing,
  onPaymentIntent,
  onPublished,
  onReconciled,
  onStripeEvent,
  onStripeUnanswered,
  toChargeRecord,
  type ChargeState,
} from './charge-state';
import { nextStep, type ChargeStep } from './charge-steps';
import { ChargeWorkflowV1 } from './legacy/charge-v1';
import {
  ChargeFailureCodeSearchAttribute,
  ChargeStatusSearchAttribute,
  PaymentIntentIdSearchAttribute,
  awaitPaymentIntentUpdate,
  cancelChargeUpdate,
  chargeStateQuery,
  stripeEventSignal,
} from './messages';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeFailureOf } from './stripe-activity-policy';

/** The marker every charge started by this code records first; charges without it replay as v1. */
export const CHARGE_LIFECYCLE_V2 = 'charge-lifecycle-v2';

/** The Stripe activities, on the rate-limited Stripe task queue. */
function stripeActivities(taskQueue: string) {
  const { createPaymentIntent } = proxyActivities<ChargeActivities>({
    taskQueue,
    startToCloseTimeout: '30 seconds',
    // Stripe keeps an idempotency key for 24 h: every retry under one key must happen well inside
    // that window. When it runs out, the workflow looks the PaymentIntent up before a new key is used.
    scheduleToCloseTimeout: '23 hours',
    retry: STRIPE_RETRY,
  });
  // No schedule-to-close: a Stripe outage (or a refused key) of any length delays these, and with
  // them the outcome, but never ends the charge without one.
  const { retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent } =
    proxyActivities<ChargeActivities>({ taskQueue, startToCloseTimeout: '30 seconds', retry: STRIPE_RETRY });
  return { createPaymentIntent, retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent };
}

const { publishPaymentEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  // No maximumAttempts and no schedule-to-close: a Kafka outage delays the event, never drops it.
  retry: PUBLISH_RETRY,
});

/** The workflow sandbox replaces Date with the deterministic workflow clock, so these replay safely. */
function nowMs(): number {
  return Date.now();
}
function nowIso(): string {
  return new Date().toISOString();
}

/**
 * The create's retries outlived their window (schedule-to-close): the key may expire soon. The
 * server reports it either as a timeout, or as the last attempt's failure with retry state TIMEOUT.
 */
function retryWindowExhausted(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT)
  );
}

export async function ChargeWorkflow(input: ChargeWorkflowInput): Promise<ChargeRecord> {
  // Charges started before this lifecycle keep the one they began with (their histories say so).
  if (!patched(CHARGE_LIFECYCLE_V2)) return ChargeWorkflowV1(input);
  const { request } = input;
  const stripe = stripeActivities(providerTaskQueue(workflowInfo().taskQueue));
  const amountText = formatAmount(request.amount, request.currency);
  const ref = { event_id: request.event_id, order_id: request.order_id };
  let state: ChargeState = initialChargeState(request, input.timing ?? DEFAULT_CHARGE_TIMING, nowIso());
  const moneyMismatches = metricMeter.createCounter(
    'payments_money_mismatches',
    'count',
    'Stripe events or PaymentIntents whose amount or currency differ from the charge, by source',
  );
  const lateOutcomes = metricMeter.createCounter(
    'payments_late_outcomes',
    'count',
    "Stripe's word contradicting a charge's final outcome (money taken after failed/canceled), by where it was heard",
  );
  const stripeUnanswered = metricMeter.createCounter(
    'payments_charge_stripe_unanswered',
    'count',
    'Looks at Stripe a waiting charge could not complete (refused for good this time; retried later)',
  );

  const show = (activity: ChargeActivity): void =>
    setCurrentDetails(
      chargeDetails({
        status: state.status,
        paymentIntentId: state.paymentIntentId,
        confirmedHere: confirmedHere(state),
        activity,
      }),
    );

  /** Every state change goes through here: search attributes and the log follow the status. */
  const setState = (next: ChargeState): void => {
    const before = state;
    state = next;
    if (next.status === before.status && next.paymentIntentId === before.paymentIntentId) return;
    upsertSearchAttributes([
      { key: ChargeStatusSearchAttribute, value: state.status },
      ...(state.paymentIntentId
        ? [{ key: PaymentIntentIdSearchAttribute, value: state.paymentIntentId }]
        : []),
      ...(isTerminal(state.status) && state.failure !== null
        ? [{ key: ChargeFailureCodeSearchAttribute, value: state.failure.code }]
        : []),
    ]);
    if (state.failure?.code === AMOUNT_MISMATCH && before.failure?.code !== AMOUNT_MISMATCH) {
      moneyMismatches.add(1, { source: 'payment_intent' });
      log.error('Stripe reports the PaymentIntent with other money than the charge asked', {
        payment_intent_id: state.paymentIntentId,
      });
    }
    log.info('charge status changed', {
      status: state.status,
      payment_intent_id: state.paymentIntentId,
      order_id: request.order_id,
    });
  };

  setHandler(chargeStateQuery, () => toChargeRecord(state));
  // The gateway's early answer: the record once the PaymentIntent exists, or once the charge ended
  // without one. Set before the first await, so the update sent with the start finds it.
  setHandler(awaitPaymentIntentUpdate, async () => {
    await condition(() => state.paymentIntentId !== null || isTerminal(state.status));
    return toChargeRecord(state);
  });
  setHandler(stripeEventSignal, (event) => {
    const verdict = onStripeEvent(state, event, nowIso(), nowMs());
    setState(verdict.state);
    if (verdict.applied) return;
    if (verdict.reason === 'amount_mismatch') {
      moneyMismatches.add(1, { source: 'webhook' });
      log.warn('stripe event for other money than the charge asked; asking Stripe instead', {
        stripe_event_id: event.stripe_event_id,
        reported_amount: event.amount,
        reported_currency: event.currency,
      });
    } else if (verdict.reason === 'contradicts_final') {
      // The webhook receiver hears the final record too and hands the event to the late-outcome
      // handling once this workflow has closed (src/api/stripe-webhook).
      lateOutcomes.add(1, { heard_by: 'charge_workflow' });
      log.error('Stripe reports money taken for a charge that ended without it', {
        stripe_event_id: event.stripe_event_id,
        status: state.status,
      });
    } else {
      log.info('stripe event not applied', {
        stripe_event_id: event.stripe_event_id,
        reason: verdict.reason,
      });
    }
  });
  setHandler(
    cancelChargeUpdate,
    async () => {
      setState(onCancelRequested(state));
      await condition(() => isTerminal(state.status) || state.cancelRefused);
      return toChargeRecord(state);
    },
    {
      validator: () => {
        if (state.status === 'succeeded') {
          throw ApplicationFailure.create({
            type: CHARGE_ALREADY_SUCCEEDED,
            message: 'the charge has succeeded and cannot be canceled; refund it instead',
            nonRetryable: true,
          });
        }
        if (state.status === 'failed') {
          throw ApplicationFailure.create({
            type: CHARGE_ALREADY_FAILED,
            message: 'the charge has already failed; there is nothing to cancel',
            nonRetryable: true,
          });
        }
      },
    },
  );

  const perform = async (step: ChargeStep): Promise<void> => {
    switch (step.kind) {
      case 'create': {
        show({ kind: 'creating' });
        try {
          const pi = await stripe.createPaymentIntent.executeWithOptions(
            { summary: `Create Stripe PaymentIntent for ${amountText}` },
            [request, step.generation],
          );
          return setState(onCreated(state, pi, nowIso(), nowMs()));
        } catch (err) {
          const refused = stripeFailureOf(err);
          if (refused !== undefined) {
            return setState(
              onCreateRefused(state, refused.failure, refused.payment_intent_id, nowIso(), nowMs()),
            );
          }
          if (!retryWindowExhausted(err)) throw err;
          log.warn('PaymentIntent create retried past its window; looking it up before a new key', {
            generation: step.generation,
          });
          return setState(onCreateWindowExhausted(state));
        }
      }
      case 'lookup': {
        show({ kind: 'creating' });
        try {
          const found = await stripe.findPaymentIntentByEventId.executeWithOptions(
            { summary: 'Look up the PaymentIntent before using a new idempotency key' },
            [ref],
          );
          return setState(
            found !== null ? onPaymentIntent(state, found, nowIso(), nowMs()) : onLookupFoundNothing(state),
          );
        } catch (err) {
          // Never a new key on a failed lookup (that could charge twice): look again after the backoff.
          if (stripeFailureOf(err) === undefined) throw err;
          stripeUnanswered.add(1, { step: 'lookup' });
          log.warn('PaymentIntent lookup refused; trying again later', { error: String(err) });
          return setState(onStripeUnanswered(state, nowMs()));
        }
      }
      case 'reconcile': {
        show({ kind: 'reconciling', why: step.why === 'other_money' ? 'other_money' : 'no_webhook' });
        try {
          const pi = await stripe.retrievePaymentIntent.executeWithOptions(
            { summary: `Reconcile (${step.why}): retrieve the PaymentIntent from Stripe` },
            [{ ...ref, payment_intent_id: state.paymentIntentId ?? '' }],
          );
          return setState(onReconciled(state, pi, nowIso(), nowMs()));
        } catch (err) {
          if (stripeFailureOf(err) === undefined) throw err;
          stripeUnanswered.add(1, { step: 'reconcile' });
          log.warn('Stripe refused the PaymentIntent retrieve; the charge keeps waiting', {
            error: String(err),
          });
          return setState(onStripeUnanswered(state, nowMs()));
        }
      }
      case 'cancel': {
        show({ kind: 'canceling', code: step.intent.failure.code });
        try {
          const pi = await stripe.cancelPaymentIntent.executeWithOptions(
            { summary: `Cancel the PaymentIntent (${step.intent.failure.code})` },
            [{ ...ref, payment_intent_id: state.paymentIntentId ?? '', reason: step.intent.reason }],
          );
          return setState(onCanceled(state, pi, nowIso()));
        } catch (err) {
          if (stripeFailureOf(err) === undefined) throw err;
          // Stripe refused (e.g. it succeeded at the last moment): its current state decides.
          log.warn('Stripe refused to cancel the PaymentIntent; asking it what happened', {
            error: String(err),
          });
          return setState(onCancelRefused(state));
        }
      }
      case 'expire':
        return setState(onDeadline(state, step.which));
      case 'wait': {
        show({
          kind: 'waiting',
          checkAt: step.checkAt,
          cancelAt: step.cancelAt,
          cancelRefused: state.cancelRefused,
        });
        const before = state;
        await condition(() => state !== before, Math.max(step.until - nowMs(), 1));
        return;
      }
      case 'publish': {
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
        // The summary names the default topic: a workflow cannot read config (the Web UI text only).
        const topic = TOPICS[outcomeTopic('charge', event.status)].default;
        show({ kind: 'publishing', topic });
        await publishPaymentEvent.executeWithOptions({ summary: `Publish ${record.status} to ${topic}` }, [
          event,
        ]);
        show({ kind: 'ended', topic });
        return setState(onPublished(state));
      }
      case 'done':
        return;
    }
  };

  for (let step = nextStep(state, nowMs()); step.kind !== 'done'; step = nextStep(state, nowMs())) {
    await perform(step);
  }
  // A cancel request still answering must see its reply delivered before the workflow closes.
  await condition(allHandlersFinished);
  return toChargeRecord(state);
}
