/**
 * FROZEN: ChargeWorkflow as it was before the `charge-lifecycle-v2` marker. Charges started by that
 * code replay through here (src/workflows/charge.ts routes them) so their recorded commands match;
 * no new charge takes this path. Never change what it does; delete it once no v1 run is retained.
 *
 * ChargeWorkflow: one per event_id, ever. Creates the PaymentIntent, waits for Stripe's verdict
 * (signalled by the webhook receiver, or found by reconciliation when webhooks are lost), publishes
 * the outcome to Kafka and returns the final record.
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
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { ChargeActivities } from '../../activities';
import type { PaymentIntentOutcome } from '../../contracts/payment-provider';
import {
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  DEFAULT_CHARGE_TIMING,
  isTerminal,
  type ChargeFailure,
  type ChargeRecord,
  type ChargeWorkflowInput,
} from '../../contracts/charge';
import { formatAmount } from '../../contracts/currency';
import type { PaymentEventV1 } from '../../contracts/payment-event';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeActivityQueue, stripeFailureOf } from '../stripe-activity-policy';
import { chargeDetails, type ChargeActivity } from '../charge-operator-details';
import {
  applyPaymentIntent,
  applyStripeEvent,
  AMOUNT_MISMATCH,
  cancelCharge,
  failCharge,
  initialChargeState,
  toChargeRecord,
  type ChargeState,
} from './charge-v1-state';
import {
  ChargeFailureCodeSearchAttribute,
  ChargeStatusSearchAttribute,
  PaymentIntentIdSearchAttribute,
  awaitPaymentIntentUpdate,
  cancelChargeUpdate,
  chargeStateQuery,
  stripeEventSignal,
} from '../messages';
import type { PaymentEventPayload } from '../../contracts/payment-provider';
import { outcomeTopic, TOPICS } from '../../contracts/topics';

/** The Stripe activities, on the task queue `stripeActivityQueue()` picks for this workflow. */
function stripeActivities(queue: { taskQueue?: string }) {
  const { createPaymentIntent } = proxyActivities<ChargeActivities>({
    ...queue,
    startToCloseTimeout: '30 seconds',
    // Stripe keeps an idempotency key for 24 h: every retry under one key must happen well inside
    // that window. When it runs out, the workflow looks the PaymentIntent up before a new key is used.
    scheduleToCloseTimeout: '23 hours',
    retry: STRIPE_RETRY,
  });
  const { retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent } =
    proxyActivities<ChargeActivities>({
      ...queue,
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: '1 hour',
      retry: STRIPE_RETRY,
    });
  return { createPaymentIntent, retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent };
}

const { publishPaymentEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  // No maximumAttempts and no schedule-to-close (unlimited is the default): a Kafka outage delays
  // the event, never drops it.
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
 * server reports it either as a timeout, or as the last attempt's failure with retry state TIMEOUT
 * (when the next backoff would have crossed the deadline).
 */
function retryWindowExhausted(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    (err.cause instanceof TimeoutFailure || err.retryState === RetryState.TIMEOUT)
  );
}

export async function ChargeWorkflowV1(input: ChargeWorkflowInput): Promise<ChargeRecord> {
  const { request } = input;
  const { createPaymentIntent, retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent } =
    stripeActivities(stripeActivityQueue());
  const timing = input.timing ?? DEFAULT_CHARGE_TIMING;
  const amountText = formatAmount(request.amount, request.currency);
  const ref = { event_id: request.event_id, order_id: request.order_id };
  let state: ChargeState = initialChargeState(request, nowIso());
  // Webhooks or PaymentIntents about other money than the charge asked (on the worker's /metrics).
  const moneyMismatches = metricMeter.createCounter(
    'payments_money_mismatches',
    'count',
    'Stripe events or PaymentIntents whose amount or currency differ from the charge, by source',
  );
  // Events that arrive before the PaymentIntent id is known cannot be checked against it yet.
  const earlyEvents: PaymentEventPayload[] = [];

  /** What the Web UI shows as the running charge's current details (no command: replay-safe). */
  const show = (activity: ChargeActivity): void =>
    setCurrentDetails(
      chargeDetails({
        status: state.status,
        paymentIntentId: state.paymentIntentId,
        confirmedHere: request.payment_method !== undefined,
        activity,
      }),
    );
  show({ kind: 'creating' });

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
    // Searchable why (ChargeFailureCode="amount_mismatch" lists what operators must settle); charges
    // that ended before this attribute existed recorded no marker and replay without it.
    if (isTerminal(state.status) && state.failure !== null && patched('charge-failure-code-attribute')) {
      upsertSearchAttributes([{ key: ChargeFailureCodeSearchAttribute, value: state.failure.code }]);
    }
    log.info('charge status changed', {
      status: state.status,
      payment_intent_id: state.paymentIntentId,
      order_id: request.order_id,
    });
  };

  // A webhook about other money is not believed: Stripe is asked for the PaymentIntent instead.
  let reconcileRequested = false;

  const applyEvent = (event: PaymentEventPayload): void => {
    const verdict = applyStripeEvent(state, event, nowIso());
    if (!verdict.applied && verdict.reason === 'amount_mismatch') {
      moneyMismatches.add(1, { source: 'webhook' });
      log.warn('stripe event for other money than the charge asked; asking Stripe instead', {
        stripe_event_id: event.stripe_event_id,
        payment_intent_id: event.payment_intent_id,
        reported_amount: event.amount,
        reported_currency: event.currency,
      });
      reconcileRequested = true;
    } else if (!verdict.applied) {
      log.info('stripe event ignored', { stripe_event_id: event.stripe_event_id, reason: verdict.reason });
    }
    setState(verdict.state);
  };

  const adopt = (pi: PaymentIntentOutcome, attempted: boolean): void => {
    setState(applyPaymentIntent(state, pi, nowIso(), attempted));
    if (state.failure?.code === AMOUNT_MISMATCH) {
      moneyMismatches.add(1, { source: 'payment_intent' });
      log.error('Stripe reports the PaymentIntent with other money than the charge asked', {
        payment_intent_id: pi.id,
        reported_amount: pi.amount,
        reported_currency: pi.currency,
      });
    }
    for (const event of earlyEvents.splice(0)) applyEvent(event);
  };

  setHandler(chargeStateQuery, () => toChargeRecord(state));
  // The gateway's early answer: the record once the PaymentIntent exists, or once the charge ended
  // without one. Set before the first await, so the update sent with the start finds it.
  setHandler(awaitPaymentIntentUpdate, async () => {
    await condition(() => state.paymentIntentId !== null || isTerminal(state.status));
    return toChargeRecord(state);
  });
  setHandler(stripeEventSignal, (event) => {
    if (state.paymentIntentId === null && !isTerminal(state.status)) earlyEvents.push(event);
    else applyEvent(event);
  });

  /** Creates the PaymentIntent once; a new idempotency key only after a lookup found none. */
  const obtainPaymentIntent = async (): Promise<void> => {
    const attempted = request.payment_method !== undefined;
    for (let generation = 1; ; generation++) {
      if (generation > 1) {
        const found = await findPaymentIntentByEventId.executeWithOptions(
          { summary: 'Look up the PaymentIntent before using a new idempotency key' },
          [ref],
        );
        if (found !== null) return adopt(found, true);
      }
      try {
        const pi = await createPaymentIntent.executeWithOptions(
          { summary: `Create Stripe PaymentIntent for ${amountText}` },
          [request, generation],
        );
        return adopt(pi, attempted);
      } catch (err) {
        const failure = stripeFailureOf(err);
        if (failure !== undefined) {
          return setState(failCharge(state, failure.failure, failure.payment_intent_id, nowIso()));
        }
        if (!retryWindowExhausted(err)) throw err;
        log.warn('PaymentIntent create retried past its window; looking it up before a new key', {
          generation,
        });
      }
    }
  };

  /** Asks Stripe directly: the webhook may be lost or late. */
  const reconcile = async (why: 'no_webhook' | 'other_money' = 'no_webhook'): Promise<void> => {
    if (state.paymentIntentId === null) return;
    show({ kind: 'reconciling', why });
    const pi = await retrievePaymentIntent.executeWithOptions(
      { summary: 'Reconcile: retrieve the PaymentIntent from Stripe' },
      [{ ...ref, payment_intent_id: state.paymentIntentId }],
    );
    adopt(pi, true);
  };

  // Stripe refused to cancel and the PaymentIntent is still moving (e.g. processing): it may yet be
  // charged, so the charge is never called canceled; it waits for Stripe's outcome instead.
  let cancelRefused = false;

  const cancel = async (
    failure: ChargeFailure,
    reason: 'abandoned' | 'requested_by_customer',
  ): Promise<void> => {
    if (state.paymentIntentId === null) return setState(cancelCharge(state, failure, nowIso()));
    show({ kind: 'canceling', code: failure.code });
    try {
      const pi = await cancelPaymentIntent.executeWithOptions(
        { summary: `Cancel the PaymentIntent (${failure.code})` },
        [{ ...ref, payment_intent_id: state.paymentIntentId, reason }],
      );
      // Stripe accepted the cancellation (it refuses one it cannot honour, see below): the charge
      // ends canceled with our reason, not the empty one on Stripe's object.
      setState(cancelCharge({ ...state, paymentIntentId: pi.id }, failure, nowIso()));
    } catch (err) {
      const stripeFailure = stripeFailureOf(err);
      if (stripeFailure === undefined) throw err;
      // Stripe refused (e.g. it succeeded at the last moment): its current state decides.
      await reconcile();
      if (!isTerminal(state.status)) {
        cancelRefused = true;
        log.warn('Stripe refused to cancel a PaymentIntent that is not final; waiting for its outcome', {
          payment_intent_status: state.status,
        });
      }
    }
  };

  /**
   * Waits for a final status from webhooks, reconciling with backoff when they do not come, and
   * gives up (cancels) after the deadline, or sooner when the customer leaves 3-D Secure unfinished.
   */
  const awaitOutcome = async (): Promise<void> => {
    const deadline = nowMs() + timing.reconcile_deadline_seconds * 1000;
    let interval = timing.reconcile_after_seconds * 1000;
    let actionSince: number | undefined;
    while (!isTerminal(state.status)) {
      const status = state.status;
      actionSince = status === 'requires_action' ? (actionSince ?? nowMs()) : undefined;
      const actionDeadline =
        actionSince === undefined ? Infinity : actionSince + timing.requires_action_window_seconds * 1000;
      // After a refused cancel only reconciliation is left: no deadline can cancel it again.
      const wakeAt = cancelRefused
        ? nowMs() + interval
        : Math.min(nowMs() + interval, deadline, actionDeadline);
      show({
        kind: 'waiting',
        checkAt: nowMs() + interval,
        cancelAt: cancelRefused ? undefined : Math.min(deadline, actionDeadline),
        cancelRefused,
      });
      const moved = await condition(
        () => state.status !== status || reconcileRequested,
        Math.max(wakeAt - nowMs(), 1),
      );
      if (reconcileRequested) {
        reconcileRequested = false;
        await reconcile('other_money');
        continue;
      }
      if (moved) continue;
      if (!cancelRefused && nowMs() >= actionDeadline) {
        await cancel(
          {
            code: 'requires_action_expired',
            message: 'the customer did not complete the required action in time',
          },
          'abandoned',
        );
      } else {
        await reconcile();
        if (!cancelRefused && nowMs() >= deadline && !isTerminal(state.status)) {
          await cancel(
            {
              code: 'charge_expired',
              message: 'no final outcome from Stripe before the charge deadline',
            },
            'abandoned',
          );
        }
        interval = Math.min(interval * 2, timing.reconcile_max_interval_seconds * 1000);
      }
    }
  };

  setHandler(
    cancelChargeUpdate,
    async () => {
      // A PaymentIntent still being created is canceled as soon as Stripe has returned it.
      await condition(() => state.paymentIntentId !== null || isTerminal(state.status));
      if (!isTerminal(state.status)) {
        await cancel(
          { code: 'canceled', message: "canceled at the caller's request" },
          'requested_by_customer',
        );
      }
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

  await obtainPaymentIntent();
  await awaitOutcome();

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
  await publishPaymentEvent.executeWithOptions({ summary: `Publish ${record.status} to ${topic}` }, [event]);
  show({ kind: 'ended', topic });
  // A cancel request still answering must see its reply delivered before the workflow closes.
  await condition(allHandlersFinished);
  return record;
}
