/**
 * RefundsWorkflow: the refunds of one succeeded charge, id `refunds-<event_id>`, started by the
 * first refund request (update-with-start) and open for the refund window.
 *
 * Why a workflow per charge, not per refund, and not the ChargeWorkflow kept open: the refundable
 * remainder is shared by every refund of a charge, so one ledger must serialise them (a workflow's
 * update validator runs in order, so two refunds can never spend the same remainder); and the
 * ChargeWorkflow ends with the charge's outcome, which is what its callers await.
 */
import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ChargeActivities } from '../activities';
import {
  CHARGE_NOT_REFUNDABLE,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_ID_CONFLICT,
  REFUND_WINDOW_CLOSED,
  refundStatusOf,
  type RefundAnswer,
  type RefundRequest,
  type RefundEventV1,
  type RefundsWorkflowInput,
} from '../contracts/refund';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeActivityQueue, stripeFailureOf } from './stripe-activity-policy';
import {
  addRefund,
  decideRefund,
  publicRefund,
  refundedTotal,
  updateRefund,
  type RefundLedger,
} from './refund-ledger';
import { RefundedMinorSearchAttribute, refundEventSignal, refundsQuery, refundUpdate } from './messages';

function refundActivities(queue: { taskQueue?: string }) {
  const { createRefund } = proxyActivities<ChargeActivities>({
    ...queue,
    startToCloseTimeout: '30 seconds',
    // Within Stripe's 24 h idempotency-key retention, as for the charge's create.
    scheduleToCloseTimeout: '23 hours',
    retry: STRIPE_RETRY,
  });
  // No schedule-to-close: after the create's window, Stripe is asked (for as long as it takes)
  // whether the refund exists before it is called failed.
  const { findRefund } = proxyActivities<ChargeActivities>({
    ...queue,
    startToCloseTimeout: '30 seconds',
    retry: STRIPE_RETRY,
  });
  return { createRefund, findRefund };
}

const { publishRefundEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  retry: PUBLISH_RETRY,
});

/** The workflow sandbox's Date is the deterministic workflow clock. */
function nowIso(): string {
  return new Date().toISOString();
}

export async function RefundsWorkflow(input: RefundsWorkflowInput): Promise<void> {
  const { charge } = input;
  const { createRefund, findRefund } = refundActivities(stripeActivityQueue());
  const ref = { event_id: charge.event_id, order_id: charge.order_id };
  let ledger: RefundLedger = { chargeAmount: charge.amount, refunds: [] };
  const toPublish: string[] = [];
  // The window runs from the charge's success (its record's time), not from the first refund.
  // Computed in the first activation, before any await: the same workflow time wherever it stands.
  // Refunds workflows started before this rule recorded no marker and keep the window they began with.
  const succeededAt = Date.parse(charge.updated_at);
  const fromSuccess = patched('refund-window-from-success') && Number.isFinite(succeededAt);
  const closesAt = (fromSuccess ? succeededAt : Date.now()) + input.window_seconds * 1000;

  const finalise = (refundId: string, change: Parameters<typeof updateRefund>[2]): void => {
    const next = updateRefund(ledger, refundId, change, nowIso());
    ledger = next.ledger;
    if (next.becameFinal) toPublish.push(refundId);
    upsertSearchAttributes([{ key: RefundedMinorSearchAttribute, value: refundedTotal(ledger) }]);
  };

  setHandler(refundsQuery, () => ({
    refunds: ledger.refunds.map(publicRefund),
    refunded_amount: refundedTotal(ledger),
  }));

  setHandler(
    refundUpdate,
    async (request): Promise<RefundAnswer> => {
      const decision = decideRefund(ledger, request);
      if (decision.kind === 'duplicate') {
        // Answer once Stripe has answered the first request, so every repeat sees the same refund.
        await condition(
          () => ledger.refunds.find((r) => r.refund_id === request.refund_id)?.stripe_refund_id !== null,
        );
        const refund = ledger.refunds.find((r) => r.refund_id === request.refund_id);
        return { refund: refund ? publicRefund(refund) : decision.refund, duplicate: true };
      }
      if (decision.kind !== 'new') throw ApplicationFailure.nonRetryable(decision.message);
      // Recorded before any await: the next request's validator already sees the smaller remainder.
      ledger = addRefund(ledger, request, decision.amount, nowIso());
      try {
        const created = await createRefund.executeWithOptions(
          { summary: `Refund ${decision.amount} ${charge.currency.toUpperCase()} (${request.refund_id})` },
          [
            {
              ...ref,
              refund_id: request.refund_id,
              payment_intent_id: charge.payment_intent_id ?? '',
              amount: decision.amount,
              reason: decision.reason,
            },
          ],
        );
        const status = refundStatusOf(created.status);
        finalise(request.refund_id, {
          status,
          stripe_refund_id: created.stripe_refund_id,
          failure: created.failure,
        });
      } catch (err) {
        const failure = stripeFailureOf(err);
        if (failure !== undefined) {
          finalise(request.refund_id, { status: 'failed', stripe_refund_id: '', failure: failure.failure });
        } else {
          // The create's retries outlived the idempotency window: an attempt may still have made the
          // refund, so Stripe's list decides; never left pending with its amount locked.
          log.warn('refund create retried past its window; asking Stripe whether it exists', {
            refund_id: request.refund_id,
          });
          const found = await findRefund.executeWithOptions(
            { summary: `Find refund ${request.refund_id} at Stripe` },
            [{ ...ref, payment_intent_id: charge.payment_intent_id ?? '', refund_id: request.refund_id }],
          );
          finalise(
            request.refund_id,
            found !== null
              ? { status: found.status, stripe_refund_id: found.stripe_refund_id, failure: found.failure }
              : {
                  status: 'failed',
                  stripe_refund_id: null,
                  failure: {
                    code: 'refund_not_made',
                    message: 'Stripe could not be reached within the idempotency window; no refund was made',
                  },
                },
          );
        }
      }
      const refund = ledger.refunds.find((r) => r.refund_id === request.refund_id);
      if (refund === undefined) throw ApplicationFailure.nonRetryable('refund vanished from the ledger');
      log.info('refund requested', { refund_id: request.refund_id, status: refund.status });
      return { refund: publicRefund(refund), duplicate: false };
    },
    {
      validator: (request: RefundRequest) => {
        if (charge.status !== 'succeeded') {
          throw ApplicationFailure.create({
            type: CHARGE_NOT_REFUNDABLE,
            message: `the charge is ${charge.status}; only a succeeded charge can be refunded`,
            nonRetryable: true,
          });
        }
        const decision = decideRefund(ledger, request);
        // Past the window the workflow may still be open (a refund pending at Stripe): a repeat is
        // answered, a new refund is not taken.
        if (decision.kind === 'new' && Date.now() >= closesAt) {
          throw ApplicationFailure.create({
            type: REFUND_WINDOW_CLOSED,
            message: 'the refund window of this charge has closed',
            nonRetryable: true,
          });
        }
        if (decision.kind === 'conflict') {
          throw ApplicationFailure.create({
            type: REFUND_ID_CONFLICT,
            message: decision.message,
            nonRetryable: true,
          });
        }
        if (decision.kind === 'exceeds') {
          throw ApplicationFailure.create({
            type: REFUND_EXCEEDS_REMAINDER,
            message: decision.message,
            nonRetryable: true,
          });
        }
      },
    },
  );

  setHandler(refundEventSignal, (event) => {
    const known = ledger.refunds.find((r) => r.refund_id === event.refund_id);
    if (known === undefined) {
      log.info('refund event for an unknown refund ignored', { refund_id: event.refund_id });
      return;
    }
    // As for charges: a refund event about other money than the refund asked is not believed.
    const otherAmount = event.amount !== undefined && event.amount !== known.amount;
    const otherCurrency = event.currency !== undefined && event.currency.toLowerCase() !== charge.currency;
    if (otherAmount || otherCurrency) {
      log.warn('refund event for other money than the refund asked ignored', {
        refund_id: event.refund_id,
        reported_amount: event.amount,
        reported_currency: event.currency,
      });
      return;
    }
    finalise(event.refund_id, {
      status: event.status,
      stripe_refund_id: event.stripe_refund_id,
      failure: event.failure,
    });
  });

  const publishFinished = async (): Promise<void> => {
    for (const refundId of toPublish.splice(0)) {
      const refund = ledger.refunds.find((r) => r.refund_id === refundId);
      if (!refund || refund.status === 'pending') continue;
      const event: RefundEventV1 = {
        ...ref,
        refund_id: refund.refund_id,
        payment_intent_id: charge.payment_intent_id,
        stripe_refund_id: refund.stripe_refund_id,
        amount: refund.amount,
        currency: charge.currency,
        reason: refund.reason,
        status: refund.status,
        ...(refund.failure ? { failure: refund.failure } : {}),
        occurred_at: refund.updated_at,
      };
      await publishRefundEvent.executeWithOptions({ summary: `Publish refund ${refund.status}` }, [event]);
    }
  };

  // Open for the refund window: publish each refund's outcome once, as it becomes final.
  while (Date.now() < closesAt) {
    const woke = await condition(() => toPublish.length > 0, Math.max(closesAt - Date.now(), 1));
    if (woke) await publishFinished();
  }
  await condition(() => ledger.refunds.every((r) => r.status !== 'pending'));
  await publishFinished();
}
