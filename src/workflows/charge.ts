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
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  getExternalWorkflowHandle,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ChargeActivities } from '../activities';
import {
  AUTHORIZATION_EXPIRED,
  AUTHORIZATION_EXPIRED_CODE,
  CAPTURE_EXCEEDS_CAPTURABLE,
  CAPTURE_REFUSED,
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  CHARGE_NOT_AUTHORIZED,
  DEFAULT_CAPTURE_POLICY,
  DEFAULT_CHARGE_TIMING,
  isManualCapture,
  isTerminal,
  type CaptureRequest,
  type ChargeRecord,
  type ChargeWorkflowInput,
} from '../contracts/charge';
import { formatAmount } from '../contracts/currency';
import {
  DEFAULT_LATE_SUCCESS_POLICY,
  lateOutcomeWorkflowId,
  type LateOutcomeWorkflowInput,
} from '../contracts/late-outcome';
import type { PaymentAuthorizedV1, PaymentEventV1 } from '../contracts/payment-event';
import {
  providerTaskQueue,
  withoutCustomerAction,
  type PaymentEventPayload,
} from '../contracts/payment-provider';
import { outcomeTopic, TOPICS } from '../contracts/topics';
import { chargeDetails, type ChargeActivity } from './charge-operator-details';
import {
  AMOUNT_MISMATCH,
  confirmedHere,
  initialChargeState,
  expiryText,
  holdDeadline,
  onAuthorizedPublished,
  onCaptureRefused,
  onCaptureRequested,
  onCapturedAtStripe,
  onHoldExpiring,
  onCancelRefused,
  onCancelRequested,
  onCanceled,
  onContradictionHandedOver,
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
  needsClientSecretRead,
  takeEarlyEvents,
  onClientSecretRead,
  toCallerRecord,
  toChargeRecord,
  type ChargeState,
} from './charge-state';
import { nextStep, type ChargeStep } from './charge-steps';
import { LateOutcomeWorkflow } from './late-outcome';
import { ChargeWorkflowV1 } from './legacy/charge-v1';
import {
  ChargeFailureCodeSearchAttribute,
  AuthorizationExpiresAtSearchAttribute,
  ChargeStatusSearchAttribute,
  EventIdSearchAttribute,
  OrderIdSearchAttribute,
  PaymentIntentIdSearchAttribute,
  awaitPaymentIntentUpdate,
  cancelChargeUpdate,
  captureChargeUpdate,
  chargeStateQuery,
  lateStripeEventSignal,
  loadClientSecretUpdate,
  stripeEventSignal,
} from './messages';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeFailureOf } from './stripe-activity-policy';

/** The marker every charge started by this code records first; charges without it replay as v1. */
export const CHARGE_LIFECYCLE_V2 = 'charge-lifecycle-v2';
/**
 * Recorded when a charge hands money Stripe took after its failed/canceled decision to the
 * late-outcome handling itself; histories from before it only logged such events.
 */
export const CHARGE_HANDS_OVER_LATE_OUTCOMES = 'charge-hands-over-late-outcomes';
/**
 * Recorded first by charges that apply the PaymentIntent and then each webhook heard before it one
 * by one (one upsert per status change, whatever the activations); older histories applied them
 * together and replay that way.
 */
export const CHARGE_EACH_STRIPE_WORD_APART = 'charge-each-stripe-word-apart';

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
  const { retrievePaymentIntent, findPaymentIntentByEventId, cancelPaymentIntent, capturePaymentIntent } =
    proxyActivities<ChargeActivities>({ taskQueue, startToCloseTimeout: '30 seconds', retry: STRIPE_RETRY });
  // The transitional read of a client_secret (loadClientSecret) answers a caller who is waiting:
  // bounded, so a Stripe outage ends it (the caller retries) instead of holding the workflow open.
  const { retrievePaymentIntent: retrieveForClientSecret } = proxyActivities<ChargeActivities>({
    taskQueue,
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '10 minutes',
    retry: STRIPE_RETRY,
  });
  return {
    createPaymentIntent,
    retrievePaymentIntent,
    findPaymentIntentByEventId,
    cancelPaymentIntent,
    capturePaymentIntent,
    retrieveForClientSecret,
  };
}

const { publishPaymentEvent, publishAuthorizedEvent } = proxyActivities<ChargeActivities>({
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
  // Read once, in the first activation: a run keeps the way it began with.
  const eachStripeWordApart = patched(CHARGE_EACH_STRIPE_WORD_APART);
  const { request } = input;
  const stripe = stripeActivities(providerTaskQueue(workflowInfo().taskQueue));
  const amountText = formatAmount(request.amount, request.currency);
  const ref = { event_id: request.event_id, order_id: request.order_id };
  let state: ChargeState = initialChargeState(
    request,
    input.timing ?? DEFAULT_CHARGE_TIMING,
    nowIso(),
    isManualCapture(request) ? (input.capture_policy ?? DEFAULT_CAPTURE_POLICY) : null,
  );
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

  // The gateway's reads: with the client_secret and next_action while the charge awaits the customer
  // (toCallerRecord), so GET /charges/:event_id never asks Stripe.
  setHandler(chargeStateQuery, () => toCallerRecord(state));
  // The gateway's early answer: the record once the PaymentIntent exists, or once the charge ended
  // without one. Set before the first await, so the update sent with the start finds it.
  setHandler(awaitPaymentIntentUpdate, async () => {
    await condition(() => state.paymentIntentId !== null || isTerminal(state.status));
    return toCallerRecord(state);
  });
  // Transitional: a charge started before the workflow kept the client_secret reads it once, through
  // the rate-limited Stripe task queue (so this read counts against the fleet's one Stripe budget,
  // unlike the gateway's direct read it replaces); concurrent callers share the read in flight. A new
  // handler and activity only in runs that are asked: no recorded path changes.
  let clientSecretRead: Promise<void> | undefined;
  const readClientSecret = async (): Promise<void> => {
    try {
      const pi = await stripe.retrieveForClientSecret.executeWithOptions(
        { summary: 'Read the client_secret of a charge started before the workflow kept it' },
        [{ ...ref, payment_intent_id: state.paymentIntentId ?? '' }],
      );
      setState(onClientSecretRead(state, pi));
    } catch (err) {
      // The caller answers 503 and asks again; the next call reads again.
      log.warn('could not read the client_secret from Stripe', { error: String(err) });
    } finally {
      clientSecretRead = undefined;
    }
  };
  setHandler(loadClientSecretUpdate, async () => {
    if (needsClientSecretRead(state)) {
      clientSecretRead ??= readClientSecret();
      await clientSecretRead;
    }
    return toCallerRecord(state);
  });
  const hearStripeEvent = (event: PaymentEventPayload): void => {
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
      // Handed to the late-outcome handling once the outcome is published (the `hand_over_late`
      // step); after this workflow has closed, the webhook receiver does the same.
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
  };
  setHandler(stripeEventSignal, hearStripeEvent);

  /**
   * Stripe's PaymentIntent (a create's answer or a look-up's find), then each event heard before it,
   * one at a time as if just arrived: the same upserts whether they share an activation or not.
   */
  const hearPaymentIntent = (apply: (held: ChargeState) => ChargeState): void => {
    if (!eachStripeWordApart) return setState(apply(state));
    const { state: held, early } = takeEarlyEvents(state);
    setState(apply(held));
    for (const event of early) hearStripeEvent(event);
  };
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

  // Manual capture: a capture of the hold, once per charge (repeats and concurrent captures join it).
  setHandler(
    captureChargeUpdate,
    async (capture) => {
      setState(onCaptureRequested(state, capture.amount));
      await condition(
        () => isTerminal(state.status) || (state.captureAsked === null && state.reconcileNeeded === null),
      );
      if (state.status === 'succeeded') return toChargeRecord(state);
      if (state.failure?.code === AUTHORIZATION_EXPIRED_CODE) {
        throw ApplicationFailure.create({
          type: AUTHORIZATION_EXPIRED,
          message: `the authorization expired (hold due to expire at ${expiryText(state)}); nothing was captured`,
          nonRetryable: true,
        });
      }
      throw ApplicationFailure.create({
        type: state.status === 'authorized' ? CAPTURE_REFUSED : CHARGE_NOT_AUTHORIZED,
        message:
          state.status === 'authorized'
            ? `Stripe refused the capture: ${state.captureFailure?.message ?? 'no reason given'}`
            : `the charge is ${state.status}; nothing was captured`,
        nonRetryable: true,
      });
    },
    {
      validator: (capture: CaptureRequest) => {
        // A capture already made or under way answers its repeats.
        if (state.captureAsked !== null || (state.status === 'succeeded' && state.amountCaptured !== null))
          return;
        const expired =
          state.failure?.code === AUTHORIZATION_EXPIRED_CODE ||
          (state.status === 'authorized' && nowMs() >= (state.holdExpiresAt ?? Infinity));
        if (expired) {
          throw ApplicationFailure.create({
            type: AUTHORIZATION_EXPIRED,
            message: `the authorization expired at ${expiryText(state)}; capture is no longer possible`,
            nonRetryable: true,
          });
        }
        if (state.status !== 'authorized' || state.cancel !== null) {
          throw ApplicationFailure.create({
            type: CHARGE_NOT_AUTHORIZED,
            message: isManualCapture(request)
              ? `the charge is ${state.status}; only an authorized charge can be captured`
              : 'the charge was created with automatic capture; there is nothing to capture',
            nonRetryable: true,
          });
        }
        const capturable = state.amountCapturable ?? request.amount;
        if (capture.amount !== undefined && capture.amount > capturable) {
          throw ApplicationFailure.create({
            type: CAPTURE_EXCEEDS_CAPTURABLE,
            message: `amount ${capture.amount} exceeds the capturable ${capturable}`,
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
          return hearPaymentIntent((held) => onCreated(held, pi, nowIso(), nowMs()));
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
          if (found === null) return setState(onLookupFoundNothing(state));
          return hearPaymentIntent((held) => onPaymentIntent(held, found, nowIso(), nowMs()));
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
      case 'capture': {
        show({ kind: 'capturing', amount: step.amount });
        try {
          const pi = await stripe.capturePaymentIntent.executeWithOptions(
            { summary: `Capture ${formatAmount(step.amount, request.currency)} of the hold` },
            [{ ...ref, payment_intent_id: state.paymentIntentId ?? '', amount_to_capture: step.amount }],
          );
          return setState(onCapturedAtStripe(state, pi, nowIso(), nowMs()));
        } catch (err) {
          const refused = stripeFailureOf(err);
          if (refused === undefined) throw err;
          log.warn('Stripe refused the capture; asking it what happened', { error: String(err) });
          return setState(onCaptureRefused(state, refused.failure));
        }
      }
      case 'expire_hold':
        log.warn('the authorization is about to expire; acting on the hold', {
          expires_at: expiryText(state),
          on_expiry: state.capturePolicy?.on_expiry,
        });
        return setState(onHoldExpiring(state));
      case 'publish_authorized': {
        const event: PaymentAuthorizedV1 = {
          event_id: request.event_id,
          order_id: request.order_id,
          payment_intent_id: state.paymentIntentId ?? '',
          amount: request.amount,
          amount_capturable: state.amountCapturable ?? request.amount,
          currency: request.currency,
          status: 'authorized',
          authorization_expires_at: expiryText(state),
          occurred_at: state.updatedAt,
        };
        const topic = TOPICS.authorized.default;
        show({ kind: 'publishing', topic });
        await publishAuthorizedEvent.executeWithOptions({ summary: `Publish authorized to ${topic}` }, [
          event,
        ]);
        upsertSearchAttributes([
          { key: AuthorizationExpiresAtSearchAttribute, value: new Date(holdDeadline(state)) },
        ]);
        return setState(onAuthorizedPublished(state));
      }
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
          // Manual capture: what was taken of the hold (`amount` stays what was asked).
          ...(record.status === 'succeeded' && state.amountCaptured !== null
            ? { amount_captured: state.amountCaptured }
            : {}),
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
      case 'hand_over_late':
        if (patched(CHARGE_HANDS_OVER_LATE_OUTCOMES)) await handOverLate(step.event);
        return setState(onContradictionHandedOver(state));
      case 'done':
        return;
    }
  };

  /**
   * Starts (or tells) this charge's LateOutcomeWorkflow, the same one the webhook receiver starts for
   * such events once this workflow has closed. It outlives this workflow (abandoned, not canceled).
   */
  const handOverLate = async (event: PaymentEventPayload): Promise<void> => {
    const workflowId = lateOutcomeWorkflowId(request.event_id);
    // A closed charge's customer has nothing left to do: its secret has no business there.
    const handed = withoutCustomerAction(event);
    const lateInput: LateOutcomeWorkflowInput = {
      event_id: request.event_id,
      order_id: request.order_id,
      announced: toChargeRecord(state),
      nothing_announced: false,
      policy: input.late_success_policy ?? DEFAULT_LATE_SUCCESS_POLICY,
    };
    log.error('Stripe reports money taken for a charge that ended without it; handing it over', {
      stripe_event_id: event.stripe_event_id,
      status: state.status,
      policy: lateInput.policy,
    });
    try {
      const child = await startChild(LateOutcomeWorkflow, {
        workflowId,
        args: [lateInput],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // As the webhook receiver starts it: one late-outcome handling per charge, ever.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: EventIdSearchAttribute, value: request.event_id },
          { key: OrderIdSearchAttribute, value: request.order_id },
        ],
        staticSummary: `Money taken after charge ${request.event_id} ended: ${lateInput.policy}`,
      });
      await child.signal(lateStripeEventSignal, handed);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // A second contradiction: the handling started for the first one hears it (once per event).
      try {
        await getExternalWorkflowHandle(workflowId).signal(lateStripeEventSignal, handed);
      } catch (signalErr) {
        // Already settled and closed: this is the same money again (it applies each event once anyway).
        log.warn('the late-outcome handling of this charge has closed; event not handed over', {
          stripe_event_id: event.stripe_event_id,
          error: String(signalErr),
        });
      }
    }
  };

  // The outer loop: a Stripe event that arrives while the last step finishes (even in the activation
  // that would close the workflow) can add a step; the workflow closes only when none is left.
  for (;;) {
    for (let step = nextStep(state, nowMs()); step.kind !== 'done'; step = nextStep(state, nowMs())) {
      await perform(step);
    }
    // A cancel request still answering must see its reply delivered before the workflow closes.
    await condition(allHandlersFinished);
    if (nextStep(state, nowMs()).kind === 'done') return toChargeRecord(state);
  }
}
