/**
 * RefundsWorkflow: the refunds of one succeeded charge, id `refunds-<event_id>`, started by the
 * first refund request (update-with-start) and open for the refund window.
 *
 * Why a workflow per charge, not per refund, and not the ChargeWorkflow kept open: the refundable
 * remainder is shared by every refund of a charge, so one ledger must serialise them (a workflow's
 * update validator runs in order, so two refunds can never spend the same remainder); and the
 * ChargeWorkflow ends with the charge's outcome, which is what its callers await.
 *
 * Refunds are taken for the whole window, also once the namespace's retention has removed the
 * ChargeWorkflow: the gateway then starts this workflow with the event_id alone, and its first step
 * asks Stripe for the PaymentIntent (by our metadata, on the rate-limited Stripe queue, for as long
 * as Stripe is unreachable). Requests that arrive meanwhile are accepted (held in the history) and
 * wait; once Stripe has answered, each is decided in turn, synchronously, on the same ledger.
 */
import {
  allHandlersFinished,
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
  refundsInputEventId,
  refundStatusOf,
  type RefundAnswer,
  type RefundRequest,
  type RefundEventV1,
  type RefundsWorkflowInput,
  type RefundsWorkflowResult,
} from '../contracts/refund';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeActivityQueue, stripeFailureOf } from './stripe-activity-policy';
import {
  addRefund,
  decideRefund,
  publicRefund,
  refundedTotal,
  updateRefund,
  type RefundDecision,
  type RefundLedger,
} from './refund-ledger';
import {
  chargeFromRecord,
  chargeFromStripe,
  judgeRefund,
  type ChargeKnowledge,
  type RefundableCharge,
} from './refund-charge';
import {
  AmountMinorSearchAttribute,
  CurrencySearchAttribute,
  OrderIdSearchAttribute,
  RefundedMinorSearchAttribute,
  refundEventSignal,
  refundsQuery,
  refundUpdate,
} from './messages';

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
  // The charge's PaymentIntent when its workflow is gone: read-only, so asked for as long as Stripe
  // is unreachable (an outage delays the refunds' answers, never loses the requests held meanwhile).
  const { findPaymentIntentByEventId } = proxyActivities<ChargeActivities>({
    ...queue,
    startToCloseTimeout: '30 seconds',
    retry: STRIPE_RETRY,
  });
  return { createRefund, findRefund, findPaymentIntentByEventId };
}

const { publishRefundEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  retry: PUBLISH_RETRY,
});

/** The workflow sandbox's Date is the deterministic workflow clock. */
function nowIso(): string {
  return new Date().toISOString();
}

export async function RefundsWorkflow(
  input: RefundsWorkflowInput,
): Promise<RefundsWorkflowResult | undefined> {
  const { createRefund, findRefund, findPaymentIntentByEventId } = refundActivities(stripeActivityQueue());
  const eventId = refundsInputEventId(input);
  // The charge's money and names: from its record, or from Stripe once looked up (below).
  let charge: RefundableCharge | undefined;
  let knowledge: ChargeKnowledge = { kind: 'looking_up' };
  let closesAt = -Infinity;
  let ledger: RefundLedger = { chargeAmount: 0, refunds: [] };
  const toPublish: string[] = [];
  // The window runs from the charge's success (its record's time; without a record, the payment's
  // time at Stripe), not from the first refund. Computed in the first activation, before any await:
  // the same workflow time wherever it stands. Refunds workflows started before this rule recorded no
  // marker and keep the window they began with.
  const windowFromSuccess = patched('refund-window-from-success');
  if (input.charge !== null) {
    const record = input.charge;
    const succeededAt = Date.parse(record.updated_at);
    const fromSuccess = windowFromSuccess && Number.isFinite(succeededAt);
    closesAt = (fromSuccess ? succeededAt : Date.now()) + input.window_seconds * 1000;
    const { event_id, order_id, payment_intent_id, amount, currency } = record;
    charge = { event_id, order_id, payment_intent_id, amount, currency };
    knowledge = chargeFromRecord(record, closesAt);
    ledger = { chargeAmount: record.amount, refunds: [] };
  }
  const ref = () => ({ event_id: eventId, order_id: charge?.order_id ?? '' });
  const paymentIntentId = () => charge?.payment_intent_id ?? '';
  const currency = () => charge?.currency ?? '';

  const finalise = (refundId: string, change: Parameters<typeof updateRefund>[2]): void => {
    const next = updateRefund(ledger, refundId, change, nowIso());
    ledger = next.ledger;
    if (next.becameFinal) toPublish.push(refundId);
    upsertSearchAttributes([{ key: RefundedMinorSearchAttribute, value: refundedTotal(ledger) }]);
  };

  /**
   * The handler's decision, taken synchronously right before the refund is recorded, so the next
   * request sees the smaller remainder. A retained charge's request was judged by the validator an
   * instant before and is decided as its recorded histories were (the ledger alone); a request held
   * while Stripe was asked is judged in full once Stripe has answered.
   */
  const decideNow = (request: RefundRequest): Extract<RefundDecision, { kind: 'new' | 'duplicate' }> => {
    if (input.charge !== null) {
      const decision = decideRefund(ledger, request);
      if (decision.kind !== 'new' && decision.kind !== 'duplicate') {
        throw ApplicationFailure.nonRetryable(decision.message);
      }
      return decision;
    }
    const verdict = judgeRefund(knowledge, ledger, request, Date.now());
    if (verdict.kind === 'refuse') {
      throw ApplicationFailure.create({ type: verdict.type, message: verdict.message, nonRetryable: true });
    }
    if (verdict.kind === 'wait') throw ApplicationFailure.nonRetryable('the charge is still unknown');
    return verdict;
  };

  setHandler(refundsQuery, () => ({
    refunds: ledger.refunds.map(publicRefund),
    refunded_amount: refundedTotal(ledger),
  }));

  setHandler(
    refundUpdate,
    async (request): Promise<RefundAnswer> => {
      // Only a request held while Stripe is asked for a charge whose record is gone waits here: no
      // await precedes a retained charge's decision, as in its recorded histories.
      if (input.charge === null && knowledge.kind === 'looking_up') {
        await condition(() => knowledge.kind !== 'looking_up');
      }
      const decision = decideNow(request);
      if (decision.kind === 'duplicate') {
        // Answer once Stripe has answered the first request, so every repeat sees the same refund.
        await condition(
          () => ledger.refunds.find((r) => r.refund_id === request.refund_id)?.stripe_refund_id !== null,
        );
        const refund = ledger.refunds.find((r) => r.refund_id === request.refund_id);
        return { refund: refund ? publicRefund(refund) : decision.refund, duplicate: true };
      }
      // Recorded before any await: the next request's validator already sees the smaller remainder.
      ledger = addRefund(ledger, request, decision.amount, nowIso());
      try {
        const created = await createRefund.executeWithOptions(
          { summary: `Refund ${decision.amount} ${currency().toUpperCase()} (${request.refund_id})` },
          [
            {
              ...ref(),
              refund_id: request.refund_id,
              payment_intent_id: paymentIntentId(),
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
            [{ ...ref(), payment_intent_id: paymentIntentId(), refund_id: request.refund_id }],
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
        // Past the window the workflow may still be open (a refund pending at Stripe): a repeat is
        // answered, a new refund is not taken. While Stripe is being asked, the request is accepted
        // (held in the history) and decided by the handler once Stripe has answered.
        const verdict = judgeRefund(knowledge, ledger, request, Date.now());
        if (verdict.kind === 'refuse') {
          throw ApplicationFailure.create({
            type: verdict.type,
            message: verdict.message,
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
    const otherCurrency = event.currency !== undefined && event.currency.toLowerCase() !== currency();
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
        ...ref(),
        refund_id: refund.refund_id,
        payment_intent_id: charge?.payment_intent_id ?? null,
        stripe_refund_id: refund.stripe_refund_id,
        amount: refund.amount,
        currency: currency(),
        reason: refund.reason,
        status: refund.status,
        ...(refund.failure ? { failure: refund.failure } : {}),
        occurred_at: refund.updated_at,
      };
      await publishRefundEvent.executeWithOptions({ summary: `Publish refund ${refund.status}` }, [event]);
    }
  };

  if (input.charge === null) {
    // The ChargeWorkflow is gone: Stripe's PaymentIntent is the charge.
    try {
      const found = await findPaymentIntentByEventId.executeWithOptions(
        { summary: `Look up charge ${eventId} at Stripe (its workflow is no longer retained)` },
        [{ event_id: eventId, order_id: '' }],
      );
      knowledge = chargeFromStripe(eventId, found, input.window_seconds);
    } catch (err) {
      const refused = stripeFailureOf(err);
      if (refused === undefined) throw err;
      knowledge = { kind: 'lookup_failed', message: refused.failure.message };
    }
    log.info('charge looked up at Stripe for its refunds', { found: knowledge.kind });
    if (knowledge.kind !== 'refundable') {
      if (knowledge.kind === 'lookup_failed') {
        log.error('Stripe refused the charge look-up', { message: knowledge.message });
      }
      // Nothing to refund: every held request is answered with why, and the run ends holding no
      // refund, so a later request may start a new one (the gateway reads this result).
      await condition(allHandlersFinished);
      return { charge_lookup: knowledge.kind };
    }
    charge = knowledge.charge;
    closesAt = knowledge.closesAt;
    ledger = { chargeAmount: charge.amount, refunds: [] };
    upsertSearchAttributes([
      { key: OrderIdSearchAttribute, value: charge.order_id },
      { key: AmountMinorSearchAttribute, value: charge.amount },
      { key: CurrencySearchAttribute, value: charge.currency },
    ]);
  }

  // Open for the refund window: publish each refund's outcome once, as it becomes final.
  while (Date.now() < closesAt) {
    const woke = await condition(() => toPublish.length > 0, Math.max(closesAt - Date.now(), 1));
    if (woke) await publishFinished();
  }
  await condition(() => ledger.refunds.every((r) => r.status !== 'pending'));
  await publishFinished();
  // A request held while Stripe was asked, answered only now (its window had closed), ends first.
  if (input.charge === null) await condition(allHandlersFinished);
  return undefined;
}
