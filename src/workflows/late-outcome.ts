/**
 * LateOutcomeWorkflow: Stripe took money for a charge whose workflow had already ended failed or
 * canceled (e.g. a customer confirmed an old PaymentIntent with its client_secret). Started by the
 * webhook receiver (signal-with-start, one per charge, each Stripe event applied once), it performs
 * what late-outcome-state.ts decides: by default refund the money at Stripe and announce that refund
 * on payments.refunded with its cause; or, by policy, announce the success on payments.completed.
 */
import { condition, log, metricMeter, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChargeActivities } from '../activities';
import {
  LATE_SUCCESS_CAUSE,
  lateSuccessRefundId,
  type LateOutcomeWorkflowInput,
} from '../contracts/late-outcome';
import type { PaymentEventV1 } from '../contracts/payment-event';
import { providerTaskQueue } from '../contracts/payment-provider';
import type { RefundEventV1 } from '../contracts/refund';
import {
  initialLateOutcomeState,
  nextLateOutcomeStep,
  onLateEvent,
  onRefund,
  onRefundRefused,
  type LateOutcomeState,
} from './late-outcome-state';
import { lateStripeEventSignal } from './messages';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeFailureOf } from './stripe-activity-policy';

const { publishPaymentEvent, publishRefundEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  retry: PUBLISH_RETRY,
});

const REFUND_RECHECK = '10 minutes';

export async function LateOutcomeWorkflow(input: LateOutcomeWorkflowInput): Promise<string> {
  // No schedule-to-close: a Stripe outage delays the correction, never drops it.
  const stripe = proxyActivities<ChargeActivities>({
    taskQueue: providerTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: STRIPE_RETRY,
  });
  const lateOutcomes = metricMeter.createCounter(
    'payments_late_outcomes',
    'count',
    "Stripe's word contradicting a charge's final outcome (money taken after failed/canceled), by where it was heard",
  );
  const ref = { event_id: input.event_id, order_id: input.order_id };
  let state: LateOutcomeState = initialLateOutcomeState(input);
  setHandler(lateStripeEventSignal, (event) => {
    state = onLateEvent(state, event);
  });

  for (;;) {
    const step = nextLateOutcomeStep(state);
    switch (step.kind) {
      case 'wait': {
        const before = state;
        await condition(() => state !== before);
        break;
      }
      case 'done':
        log.info('late outcome settled', { verdict: step.verdict });
        return step.verdict;
      case 'alert_operator':
        lateOutcomes.add(1, { heard_by: 'webhook', action: 'operator' });
        log.error(
          'Stripe took money for a charge whose announcement is no longer retained; settle it at Stripe',
          {
            payment_intent_id: state.moneyTaken?.payment_intent_id,
          },
        );
        state = { ...state, operatorAlerted: true };
        break;
      case 'refund': {
        lateOutcomes.add(1, { heard_by: 'webhook', action: 'refund' });
        log.error('Stripe took money for a charge announced failed or canceled; refunding it', {
          announced: input.announced?.status,
          payment_intent_id: step.paymentIntentId,
          amount: step.amount,
        });
        try {
          const refund = await stripe.createRefund.executeWithOptions(
            { summary: `Refund money taken after the charge ended (${step.amount})` },
            [
              {
                ...ref,
                refund_id: lateSuccessRefundId(input.event_id),
                payment_intent_id: step.paymentIntentId,
                amount: step.amount,
                reason: null,
              },
            ],
          );
          state = onRefund(state, refund);
        } catch (err) {
          const refused = stripeFailureOf(err);
          if (refused === undefined) throw err;
          state = onRefundRefused(state, refused.failure);
        }
        break;
      }
      case 'await_refund': {
        await condition(() => false, REFUND_RECHECK);
        const refund = await stripe.retrieveRefund.executeWithOptions(
          { summary: 'Look at the pending refund' },
          [{ ...ref, stripe_refund_id: state.refund?.stripe_refund_id ?? '' }],
        );
        state = onRefund(state, refund);
        break;
      }
      case 'publish_refund': {
        const { refund } = step;
        const event: RefundEventV1 = {
          ...ref,
          refund_id: lateSuccessRefundId(input.event_id),
          payment_intent_id: state.moneyTaken?.payment_intent_id ?? null,
          stripe_refund_id: refund.stripe_refund_id || null,
          amount: step.amount,
          currency: input.announced?.currency ?? state.moneyTaken?.currency ?? '',
          reason: null,
          cause: LATE_SUCCESS_CAUSE,
          status: refund.status === 'pending' ? 'failed' : refund.status,
          ...(refund.failure ? { failure: refund.failure } : {}),
          occurred_at: new Date().toISOString(),
        };
        await publishRefundEvent.executeWithOptions(
          { summary: `Publish the correcting refund (${event.status})` },
          [event],
        );
        state = { ...state, published: true };
        break;
      }
      case 'publish_success': {
        lateOutcomes.add(1, { heard_by: 'webhook', action: 'announce' });
        const taken = state.moneyTaken;
        const announced = input.announced;
        const event: PaymentEventV1 = {
          ...ref,
          payment_intent_id: taken?.payment_intent_id ?? null,
          amount: taken?.amount ?? announced?.amount ?? 0,
          currency: taken?.currency ?? announced?.currency ?? '',
          status: 'succeeded',
          occurred_at: new Date().toISOString(),
        };
        await publishPaymentEvent.executeWithOptions({ summary: 'Publish the late success' }, [event]);
        state = { ...state, published: true };
        break;
      }
    }
  }
}
