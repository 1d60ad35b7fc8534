/**
 * DisputeWorkflow on the time-skipping test server, driven the way the webhook receiver drives it
 * (createDisputeWorkflows().deliver: signal-with-start), with typed fakes of Stripe and Kafka. There
 * is no charge workflow here at all: every dispute finds its order through the PaymentIntent, as one
 * arriving after the charge's workflow is gone must.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { ChargeActivities } from '../../src/activities';
import { createDisputeWorkflows, type DisputeWorkflows } from '../../src/api/temporal/dispute-workflows';
import {
  disputeWorkflowId,
  type DisputeEventV1,
  type DisputeRecord,
  type DisputeTiming,
} from '../../src/contracts/dispute';
import {
  PROVIDER_INVALID_REQUEST,
  type DisputeEventPayload,
  type PaymentIntentOutcome,
} from '../../src/contracts/payment-provider';
import { disputeStateQuery } from '../../src/workflows/messages';
import { lifecycleOf, type DisputePath } from '../support/dispute-model';
import {
  createTestWorker,
  createTimeSkippingEnv,
  uniqueTaskQueue,
  type TestWorkers,
} from '../support/workflow-env';
import { waitUntil } from '../support/wait';

const TIMING: DisputeTiming = { evidence_warning_seconds: 2 * 86_400, linger_after_close_seconds: 3600 };

const PATH: DisputePath = {
  inquiry: false,
  escalates: false,
  withdrawnAtCreation: false,
  evidence: true,
  outcome: 'won',
  reinstatement: 'later',
  gaps: [1],
};

/** The charges Stripe knows: PaymentIntent id → what retrieve answers (with our metadata, or none). */
const paymentIntents = new Map<string, PaymentIntentOutcome>();
const lookups: string[] = [];
const published: DisputeEventV1[] = [];
const warnings: LogEntry[] = [];
/** PaymentIntents whose first lookup fails as Stripe's 500 does (retried by Temporal). */
const flaky = new Set<string>();

const activities: Partial<ChargeActivities> = {
  retrievePaymentIntentForDispute: async ({ payment_intent_id: id }) => {
    lookups.push(id);
    if (flaky.delete(id)) throw ApplicationFailure.retryable('Stripe answered 500', 'StripeTransientError');
    const pi = paymentIntents.get(id);
    if (pi === undefined) {
      throw ApplicationFailure.create({
        type: PROVIDER_INVALID_REQUEST,
        message: `No such payment_intent: '${id}'`,
        nonRetryable: true,
        details: [
          { failure: { code: 'resource_missing', message: 'no such PaymentIntent' }, payment_intent_id: id },
        ],
      });
    }
    return pi;
  },
  publishDisputeEvent: async (event) => {
    published.push(event);
    return { topic: 'payments.disputed', message_id: `dispute:${event.dispute_id}:${event.change}` };
  },
};

/** A charge of ours: its PaymentIntent carries event_id and order_id, as createPaymentIntent set them. */
function ourCharge(amount = 3000, currency = 'usd') {
  const id = randomUUID();
  const charge = { event_id: `evt-dp-${id}`, order_id: `order-dp-${id}`, pi: `pi_${id.slice(0, 8)}` };
  paymentIntents.set(charge.pi, {
    id: charge.pi,
    status: 'succeeded',
    failure: null,
    amount,
    currency,
    metadata: { event_id: charge.event_id, order_id: charge.order_id },
  });
  return charge;
}

function disputeOn(pi: string, path: DisputePath = PATH, money: { amount?: number; currency?: string } = {}) {
  return lifecycleOf(path, {
    disputeId: `dp_${randomUUID().slice(0, 12)}`,
    paymentIntentId: pi,
    eventPrefix: `evt_${randomUUID().slice(0, 6)}`,
    ...money,
  });
}

const changesOf = (disputeId: string) =>
  published.filter((p) => p.dispute_id === disputeId).map((p) => `${p.change}:${p.status}`);

describe('DisputeWorkflow', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: TestWorkers;
  let running: Promise<void>;
  let disputes: DisputeWorkflows;

  before(async () => {
    // Our own runtime logger, to hear the workflow's warning (the kit's quiet one keeps errors only).
    Runtime.install({ logger: new DefaultLogger('WARN', (entry) => warnings.push(entry)) });
    env = await createTimeSkippingEnv({ quietRuntime: false });
    const taskQueue = uniqueTaskQueue('dispute');
    worker = await createTestWorker(env, taskQueue, activities);
    running = worker.run();
    disputes = createDisputeWorkflows(env.client, taskQueue, TIMING);
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const deliverAll = async (events: readonly DisputeEventPayload[]) => {
    for (const event of events) assert.equal(await disputes.deliver(event), 'accepted');
  };
  /** Runs the workflow to its end (time skipped through the linger after closing). */
  const result = (disputeId: string): Promise<DisputeRecord> =>
    env.client.workflow.getHandle(disputeWorkflowId(disputeId)).result();

  it('announces opened, funds withdrawn, closed won and funds reinstated once each, keyed to the order found through the PaymentIntent', async () => {
    const charge = ourCharge();
    const dispute = disputeOn(charge.pi);
    await deliverAll(dispute.events);
    const record = await result(dispute.disputeId);

    assert.deepEqual(changesOf(dispute.disputeId), [
      'opened:needs_response',
      'funds_withdrawn:needs_response',
      'closed:won',
      'funds_reinstated:won',
    ]);
    const mine = published.filter((p) => p.dispute_id === dispute.disputeId);
    assert.ok(mine.every((p) => p.order_id === charge.order_id && p.event_id === charge.event_id));
    assert.equal(mine.find((p) => p.change === 'closed')?.outcome, 'won');
    assert.equal(record.outcome, 'won');
    assert.equal(record.funds_reinstated, true);
    assert.equal(record.order_id, charge.order_id);
    assert.deepEqual(
      lookups.filter((l) => l === charge.pi),
      [charge.pi],
      'one PaymentIntent read',
    );
  });

  it('announces a lost dispute: opened, funds withdrawn, closed lost, nothing reinstated', async () => {
    const charge = ourCharge();
    const dispute = disputeOn(charge.pi, {
      ...PATH,
      evidence: false,
      outcome: 'lost',
      withdrawnAtCreation: true,
    });
    await deliverAll(dispute.events);
    const record = await result(dispute.disputeId);
    assert.deepEqual(changesOf(dispute.disputeId), [
      'opened:needs_response',
      'funds_withdrawn:needs_response',
      'closed:lost',
    ]);
    assert.equal(record.outcome, 'lost');
    assert.equal(record.funds_reinstated, false);
  });

  it('takes the same events delivered twice and out of order, and still announces each change once, in order', async () => {
    const charge = ourCharge();
    const dispute = disputeOn(charge.pi);
    const [created, withdrawn, review, closed, reinstated] = dispute.events;
    await deliverAll([closed!, created!, closed!, review!, withdrawn!, created!, reinstated!, withdrawn!]);
    const record = await result(dispute.disputeId);
    // Which status "opened" reports depends on whether the order was found before the created event
    // came; the changes and their order do not.
    const changes = published.filter((p) => p.dispute_id === dispute.disputeId).map((p) => p.change);
    assert.deepEqual(changes, ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated']);
    assert.equal(record.status, 'won', "Stripe's last word");
  });

  it('refuses an event after the workflow ended, rather than opening the dispute again', async () => {
    const charge = ourCharge();
    const dispute = disputeOn(charge.pi, { ...PATH, evidence: false, outcome: 'lost' });
    await deliverAll(dispute.events);
    await result(dispute.disputeId);
    assert.equal(await disputes.deliver(dispute.events.at(-1)!), 'closed');
    assert.equal(changesOf(dispute.disputeId).filter((c) => c.startsWith('opened')).length, 1);
  });

  it('flags a dispute for more than the charge in its records, and still announces it (money did leave)', async () => {
    const charge = ourCharge(2000);
    const dispute = disputeOn(charge.pi, { ...PATH, outcome: 'lost' }, { amount: 2500 });
    await deliverAll(dispute.events);
    const record = await result(dispute.disputeId);
    assert.match(record.money_mismatch ?? '', /disputes 25\.00 USD; the charge was 20\.00 USD/);
    const mine = published.filter((p) => p.dispute_id === dispute.disputeId);
    assert.ok(mine.length > 0 && mine.every((p) => p.money_mismatch === record.money_mismatch));
  });

  it('acknowledges a dispute on a payment this service did not create: nothing published, the workflow ends', async () => {
    const foreign = `pi_foreign_${randomUUID().slice(0, 8)}`;
    paymentIntents.set(foreign, {
      id: foreign,
      status: 'succeeded',
      failure: null,
      amount: 3000,
      currency: 'usd',
      metadata: {},
    });
    const dispute = disputeOn(foreign);
    assert.equal(await disputes.deliver(dispute.events[0]!), 'accepted');
    const record = await result(dispute.disputeId);
    assert.equal(record.event_id, null);
    assert.deepEqual(changesOf(dispute.disputeId), []);

    const unknown = disputeOn(`pi_unknown_${randomUUID().slice(0, 8)}`);
    await disputes.deliver(unknown.events[0]!);
    assert.equal((await result(unknown.disputeId)).event_id, null, 'a PaymentIntent Stripe does not show');
    assert.deepEqual(changesOf(unknown.disputeId), []);
  });

  it('retries the PaymentIntent read while Stripe fails, and then announces', async () => {
    const charge = ourCharge();
    flaky.add(charge.pi);
    const dispute = disputeOn(charge.pi, { ...PATH, evidence: false, outcome: 'lost' });
    await deliverAll(dispute.events);
    await result(dispute.disputeId);
    assert.equal(lookups.filter((l) => l === charge.pi).length, 2);
    assert.equal(changesOf(dispute.disputeId).length, 3);
  });

  it('logs a warning DISPUTE_EVIDENCE_WARNING_SECONDS before the evidence is due, once, while none is submitted', async () => {
    const charge = ourCharge();
    const now = Math.floor((await env.currentTimeMs()) / 1000);
    const dueBy = now + 3 * 86_400;
    const [created] = disputeOn(charge.pi).events;
    const dispute = { ...created!, created: now, evidence_due_by: dueBy };
    await disputes.deliver(dispute);
    const handle = env.client.workflow.getHandle(disputeWorkflowId(dispute.dispute_id));
    await waitUntil(async () => changesOf(dispute.dispute_id).length === 1 || undefined, 'opened published');
    const mine = () => warnings.filter((w) => w.meta?.['dispute_id'] === dispute.dispute_id);

    await env.sleep('23 hours');
    assert.equal((await handle.query(disputeStateQuery)).status, 'needs_response');
    assert.deepEqual(mine(), [], 'no warning a day before the warning time');

    await env.sleep('2 hours');
    const [warning] = await waitUntil(async () => (mine().length > 0 ? mine() : undefined), 'the warning');
    assert.equal(warning?.message, 'dispute evidence due soon and not submitted');
    assert.equal(warning?.meta?.['evidence_due_by'], new Date(dueBy * 1000).toISOString());
    assert.equal(warning?.meta?.['event_id'], charge.event_id);

    await env.sleep('1 day');
    assert.equal(mine().length, 1, 'once per due time');
    await handle.terminate('test done');
  });
});
