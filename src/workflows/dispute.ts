/**
 * DisputeWorkflow: one per Stripe dispute, id `dispute-<dp id>`, started (or signalled) by the webhook
 * receiver with each verified `charge.dispute.*` event. A dispute comes weeks after the charge, when
 * the charge's workflow has long ended and may be gone after retention: so the dispute finds its
 * order on its own, through the PaymentIntent's metadata read from Stripe.
 *
 * It announces each change that matters once on payments.disputed (opened, funds withdrawn, closed
 * with outcome, funds reinstated), keeps the Web UI's search attributes and current details on the
 * evidence deadline, and logs a warning a configurable time before that deadline while the dispute
 * still asks for evidence. Decisions are in dispute-state.ts; this file performs them one at a time.
 */
import {
  log,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  condition,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { ChargeActivities } from '../activities';
import {
  disputeMessageId,
  type DisputeChange,
  type DisputeOwner,
  type DisputeRecord,
  type DisputeWorkflowInput,
} from '../contracts/dispute';
import { TOPICS } from '../contracts/topics';
import { disputeDetails, type DisputeActivity } from './dispute-operator-details';
import {
  applyDisputeEvent,
  disputeEventOf,
  disputeMoneyMismatch,
  initialDisputeState,
  markAnnounced,
  markWarned,
  nextStep,
  toDisputeRecord,
  withOwner,
  type DisputeState,
} from './dispute-state';
import {
  AmountMinorSearchAttribute,
  CurrencySearchAttribute,
  DisputeEvidenceDueBySearchAttribute,
  DisputeStatusSearchAttribute,
  EventIdSearchAttribute,
  OrderIdSearchAttribute,
  PaymentIntentIdSearchAttribute,
  disputeEventSignal,
  disputeStateQuery,
} from './messages';
import { PUBLISH_RETRY, STRIPE_RETRY, stripeActivityQueue, stripeFailureOf } from './stripe-activity-policy';

/**
 * The PaymentIntent read: no schedule-to-close, as a dispute must find its order however long Stripe
 * is unreachable (a read, so retrying is harmless; the Stripe queue keeps it under the rate limit).
 */
function ownerLookup(queue: { taskQueue?: string }) {
  return proxyActivities<ChargeActivities>({
    ...queue,
    startToCloseTimeout: '30 seconds',
    retry: STRIPE_RETRY,
  }).retrievePaymentIntentForDispute;
}

const { publishDisputeEvent } = proxyActivities<ChargeActivities>({
  startToCloseTimeout: '15 seconds',
  // As for charges: a Kafka outage delays a record, never drops it.
  retry: PUBLISH_RETRY,
});

/** The workflow sandbox's Date is the deterministic workflow clock. */
const nowMs = (): number => Date.now();

/** Counted on the worker's /metrics (never during replay). Names are the contract with dashboards. */
function disputeMetrics() {
  return {
    changesPublished: metricMeter.createCounter(
      'payments_dispute_changes',
      'count',
      'Dispute changes published to payments.disputed, by change (opened, funds_withdrawn, closed, funds_reinstated)',
    ),
    notOurs: metricMeter.createCounter(
      'payments_disputes_not_ours',
      'count',
      'Disputes on payments this service did not create (acknowledged, nothing published), by reason',
    ),
    moneyMismatches: metricMeter.createCounter(
      'payments_dispute_money_mismatches',
      'count',
      'Disputes for more money than the charge, or in another currency (flagged in the record)',
    ),
    evidenceWarnings: metricMeter.createCounter(
      'payments_dispute_evidence_warnings',
      'count',
      'Disputes whose evidence is due within DISPUTE_EVIDENCE_WARNING_SECONDS and not submitted',
    ),
  };
}

export async function DisputeWorkflow(input: DisputeWorkflowInput): Promise<DisputeRecord> {
  const { changesPublished, notOurs, moneyMismatches, evidenceWarnings } = disputeMetrics();
  const retrievePaymentIntentForDispute = ownerLookup(stripeActivityQueue());
  const { timing } = input;
  const topic = TOPICS.disputed.default;
  let state: DisputeState = initialDisputeState(input, nowMs());
  const ids = { dispute_id: input.dispute_id };

  const show = (activity: DisputeActivity): void =>
    setCurrentDetails(disputeDetails(state, nowMs(), timing, activity));

  setHandler(disputeStateQuery, () => toDisputeRecord(state));
  setHandler(disputeEventSignal, (event) => {
    const verdict = applyDisputeEvent(state, event, nowMs());
    state = verdict.state;
    if (!verdict.applied) {
      log.info('dispute event ignored', {
        ...ids,
        stripe_event_id: event.stripe_event_id,
        reason: verdict.reason,
      });
    } else if (verdict.stale) {
      log.info('older dispute event: only its facts applied', {
        ...ids,
        stripe_event_id: event.stripe_event_id,
      });
    }
  });

  /** Whose dispute this is: our metadata on the PaymentIntent, read from Stripe (never from the charge's workflow). */
  const findOwner = async (): Promise<DisputeOwner> => {
    const paymentIntentId = state.paymentIntentId;
    if (paymentIntentId === null) return { kind: 'not_ours', reason: 'no_payment_intent' };
    try {
      const pi = await retrievePaymentIntentForDispute.executeWithOptions(
        { summary: `Find the order of dispute ${input.dispute_id} through PaymentIntent ${paymentIntentId}` },
        [{ dispute_id: input.dispute_id, payment_intent_id: paymentIntentId }],
      );
      const eventId = pi.metadata?.event_id;
      if (eventId === undefined || eventId === '') return { kind: 'not_ours', reason: 'no_metadata' };
      return {
        kind: 'ours',
        event_id: eventId,
        order_id: pi.metadata?.order_id ?? '',
        amount: pi.amount,
        currency: pi.currency,
      };
    } catch (err) {
      // Stripe refuses to show it (e.g. a PaymentIntent of another account): not one we created.
      if (stripeFailureOf(err) === undefined) throw err;
      return { kind: 'not_ours', reason: 'payment_intent_not_found' };
    }
  };

  // What the search attributes last said, so only a change is upserted.
  let indexed = {
    status: null as string | null,
    dueBy: null as number | null,
    amount: null as number | null,
  };
  const index = (): void => {
    if (state.owner.kind !== 'ours') return;
    const pairs: SearchAttributeUpdatePair[] = [];
    if (state.status !== null && state.status !== indexed.status)
      pairs.push({ key: DisputeStatusSearchAttribute, value: state.status });
    if (state.evidenceDueBy !== null && state.evidenceDueBy !== indexed.dueBy)
      pairs.push({ key: DisputeEvidenceDueBySearchAttribute, value: new Date(state.evidenceDueBy * 1000) });
    if (state.amount !== null && state.currency !== null && state.amount !== indexed.amount) {
      pairs.push({ key: AmountMinorSearchAttribute, value: state.amount });
      pairs.push({ key: CurrencySearchAttribute, value: state.currency });
    }
    if (pairs.length > 0) upsertSearchAttributes(pairs);
    indexed = { status: state.status, dueBy: state.evidenceDueBy, amount: state.amount };
  };

  let mismatchCounted = false;
  const checkMoney = (): void => {
    const mismatch = disputeMoneyMismatch(state);
    if (mismatch === undefined || mismatchCounted) return;
    mismatchCounted = true;
    moneyMismatches.add(1);
    log.error('dispute for other money than the charge: flagged, not believed blindly', {
      ...ids,
      mismatch,
      reported_amount: state.amount,
      reported_currency: state.currency,
    });
  };

  const announce = async (change: DisputeChange): Promise<void> => {
    const record = disputeEventOf(state, change);
    if (record === undefined) return;
    show({ kind: 'publishing', change, topic });
    await publishDisputeEvent.executeWithOptions(
      { summary: `Publish dispute ${change} (${record.status}) to ${topic}` },
      [record],
    );
    state = markAnnounced(state, change);
    changesPublished.add(1, { change });
    log.info('dispute change published', {
      ...ids,
      event_id: record.event_id,
      change,
      status: record.status,
      message_id: disputeMessageId(input.dispute_id, change),
    });
  };

  for (;;) {
    const step = nextStep(state, nowMs(), timing);
    if (step.kind === 'end') break;
    if (step.kind === 'find_owner') {
      show({ kind: 'finding_owner' });
      const owner = await findOwner();
      state = withOwner(state, owner, nowMs());
      if (owner.kind === 'ours') {
        upsertSearchAttributes([
          { key: EventIdSearchAttribute, value: owner.event_id },
          { key: OrderIdSearchAttribute, value: owner.order_id },
          ...(state.paymentIntentId
            ? [{ key: PaymentIntentIdSearchAttribute, value: state.paymentIntentId }]
            : []),
        ]);
        log.info('dispute matched to its charge', {
          ...ids,
          event_id: owner.event_id,
          order_id: owner.order_id,
        });
      } else if (owner.kind === 'not_ours') {
        notOurs.add(1, { reason: owner.reason });
        log.info('dispute on a payment this service did not create: acknowledged, nothing published', {
          ...ids,
          reason: owner.reason,
          payment_intent_id: state.paymentIntentId,
        });
      }
      continue;
    }
    index();
    checkMoney();
    if (step.kind === 'announce') {
      await announce(step.change);
      continue;
    }
    if (step.kind === 'warn_evidence_due') {
      evidenceWarnings.add(1);
      log.warn('dispute evidence due soon and not submitted', {
        ...ids,
        event_id: state.owner.kind === 'ours' ? state.owner.event_id : undefined,
        status: state.status,
        evidence_due_by:
          state.evidenceDueBy === null ? null : new Date(state.evidenceDueBy * 1000).toISOString(),
      });
      state = markWarned(state);
      continue;
    }
    show({ kind: 'waiting' });
    const revision = state.revision;
    const changed = () => state.revision !== revision;
    if (step.until === undefined) await condition(changed);
    else await condition(changed, Math.max(step.until - nowMs(), 1));
  }
  index();
  show({ kind: 'ended' });
  return toDisputeRecord(state);
}
