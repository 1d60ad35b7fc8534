/**
 * Disputes on the real stack (Temporal dev server, Kafka, the Stripe test-mode stand-in in front of
 * stripe-mock):
 * signed charge.dispute.* webhooks for a charge of ours, each change announced once on
 * payments.disputed in order; the same with events repeated and out of order; a dispute arriving
 * after the charge's workflow is gone; one on a payment that is not ours; and what operators see
 * (GET /charges/:event_id, search attributes, current details, the gauges on /metrics).
 *
 * Each charge is paid with a test card at the stand-in, which keeps its PaymentIntent with our
 * metadata (what the dispute's workflow reads back); the dispute's events are signed here and sent
 * in the orders a test needs. "Exactly once" is counted once the dispute's workflow has nothing in flight, reading the topic to
 * its end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import { disputeWorkflowId, type DisputeRecord } from '../../src/contracts/dispute';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { DisputeWorkflow } from '../../src/workflows/dispute';
import {
  DisputeEvidenceDueBySearchAttribute,
  DisputeStatusSearchAttribute,
  disputeStateQuery,
} from '../../src/workflows/messages';
import { disputeEvent, signatureFor, type DisputeEventOptions } from '../../scripts/stripe-events';
import { readRecordsFor, type ReadRecord } from '../support/kafka-reader';
import { REPO_ROOT } from '../support/repo';
import { AUTH_HEADER, TEST_API_TOKEN, TEST_WEBHOOK_SECRET } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const TOPIC = 'payments.disputed';

interface Charge {
  readonly event_id: string;
  readonly order_id: string;
  readonly pi: string;
}

describe('disputes against the real stack', { timeout: 240_000 }, () => {
  const suite = standinServiceForSuite({
    env: { DISPUTE_LINGER_AFTER_CLOSE_SECONDS: '60', DISPUTE_COUNT_INTERVAL_SECONDS: '1' },
  });

  const post = async (path: string, body: object) =>
    fetch(`${suite.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify(body),
    });
  const state = async (eventId: string) =>
    (await (
      await fetch(`${suite.service.url}/charges/${eventId}`, { headers: AUTH_HEADER })
    ).json()) as ChargeRecord & {
      disputes?: DisputeRecord[];
    };
  const webhook = async (payload: string): Promise<number> =>
    (
      await fetch(`${suite.service.url}/stripe/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(payload, TEST_WEBHOOK_SECRET),
        },
        body: payload,
      })
    ).status;

  async function succeededCharge(): Promise<Charge> {
    const id = randomUUID();
    const charge = { event_id: `evt-dp-${id}`, order_id: `order-dp-${id}`, amount: 3000, currency: 'usd' };
    // Paid with a test card: the stand-in keeps the PaymentIntent (our metadata) and sends its webhook.
    assert.equal((await post('/charge', { ...charge, payment_method: 'pm_card_visa' })).status, 202);
    const final = await suite.temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id))
      .result();
    assert.equal(final.status, 'succeeded');
    return { event_id: charge.event_id, order_id: charge.order_id, pi: String(final.payment_intent_id) };
  }

  /** The dispute's events, one second apart, as Stripe would send them (Dispute objects as they stood). */
  function disputeEvents(
    charge: Pick<Charge, 'pi'>,
    steps: ReadonlyArray<Partial<DisputeEventOptions>>,
  ): string[] {
    const disputeId = `du_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const t0 = Math.floor(Date.now() / 1000);
    return steps.map((step, i) =>
      disputeEvent({
        type: 'created',
        disputeId,
        paymentIntentId: charge.pi,
        status: 'needs_response',
        amount: 3000,
        currency: 'usd',
        dueBy: t0 + 7 * 86_400,
        created: t0 + i,
        stripeEventId: `evt_${disputeId}_${i}`,
        ...step,
      }),
    );
  }
  const disputeIdOf = (payload: string) =>
    (JSON.parse(payload) as { data: { object: { id: string } } }).data.object.id;

  /** Nothing in flight: every record the dispute's workflow owes for what it has been sent is on Kafka. */
  const idle = async (disputeId: string): Promise<boolean> => {
    const { raw } = await suite.temporal.workflow.getHandle(disputeWorkflowId(disputeId)).describe();
    return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask;
  };
  const disputeRecords = async (charge: Charge, disputeId: string, count: number): Promise<ReadRecord[]> =>
    waitUntil(async () => {
      if (!(await idle(disputeId))) return undefined;
      const found = (await readRecordsFor([TOPIC], new Set([charge.event_id]))).filter(
        (r) => r.headers['dispute_id'] === disputeId,
      );
      return found.length >= count ? found : undefined;
    }, `${count} records of ${disputeId}, and its workflow idle`);

  it('announces a lost dispute on payments.disputed: opened, funds withdrawn, closed lost, each once, in order, keyed by order_id', async () => {
    const charge = await succeededCharge();
    const events = disputeEvents(charge, [
      { type: 'created' },
      { type: 'funds_withdrawn', withdrawn: true },
      { type: 'closed', status: 'lost', withdrawn: true },
    ]);
    for (const e of events) assert.equal(await webhook(e), 200);
    const disputeId = disputeIdOf(events[0]!);

    const records = await disputeRecords(charge, disputeId, 3);
    assert.deepEqual(
      records.map((r) => `${r.headers['change']}:${r.headers['status']}`),
      ['opened:needs_response', 'funds_withdrawn:needs_response', 'closed:lost'],
    );
    assert.ok(records.every((r) => r.key === charge.order_id && r.headers['event_id'] === charge.event_id));
    assert.deepEqual(
      records.map((r) => r.headers['message_id']),
      ['opened', 'funds_withdrawn', 'closed'].map((c) => `dispute:${disputeId}:${c}`),
    );
    assert.ok(records.every((r) => r.headers['schema_version'] === '1'));
    assert.equal(records[2]?.value['outcome'], 'lost');
    assert.equal(records[2]?.value['amount'], 3000);

    const listed = await waitUntil(
      async () => (await state(charge.event_id)).disputes?.[0],
      'the dispute on GET',
    );
    assert.equal(listed.dispute_id, disputeId);
    assert.equal(listed.outcome, 'lost');
    assert.equal(listed.funds_withdrawn, true);
  });

  it('announces a won dispute, funds reinstated after it closed, and takes the same events repeated and out of order', async () => {
    const charge = await succeededCharge();
    const [created, withdrawn, review, closed, reinstated] = disputeEvents(charge, [
      { type: 'created' },
      { type: 'funds_withdrawn', withdrawn: true },
      { type: 'updated', status: 'under_review', withdrawn: true, submissionCount: 1 },
      { type: 'closed', status: 'won', withdrawn: true },
      { type: 'funds_reinstated', status: 'won', reinstated: true },
    ]);
    for (const e of [created, review, withdrawn, created, closed, review, reinstated, closed]) {
      assert.equal(await webhook(e!), 200);
    }
    const disputeId = disputeIdOf(created!);
    const records = await disputeRecords(charge, disputeId, 4);
    assert.deepEqual(
      records.map((r) => r.headers['change']),
      ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated'],
      'each change once, in lifecycle order',
    );
    assert.equal(records[2]?.value['outcome'], 'won');
    const record = await suite.temporal.workflow
      .getHandle(disputeWorkflowId(disputeId))
      .query(disputeStateQuery);
    assert.equal(record.status, 'won');
    assert.equal(record.evidence_submitted, true);
  });

  it("finds the order through Stripe when the charge's workflow is gone", async () => {
    const charge = await succeededCharge();
    // As namespace retention does, some weeks after the charge. Deletion is asynchronous on the
    // server: on a busy machine it takes a while.
    await suite.temporal.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: chargeWorkflowId(charge.event_id) },
    });
    await waitUntil(
      async () => {
        try {
          await suite.temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).describe();
          return false;
        } catch (err) {
          return err instanceof WorkflowNotFoundError;
        }
      },
      "the charge's workflow deleted",
      90_000,
    );
    const [created] = disputeEvents(charge, [{ type: 'created' }]);
    assert.equal(await webhook(created!), 200);
    const disputeId = disputeIdOf(created!);
    const records = await disputeRecords(charge, disputeId, 1);
    assert.deepEqual(
      records.map((r) => [r.headers['change'], r.key]),
      [['opened', charge.order_id]],
    );
  });

  it('lets operators find an open dispute and its deadline: search attributes, current details, gauges', async () => {
    const charge = await succeededCharge();
    // Due within DISPUTE_EVIDENCE_WARNING_SECONDS (2 days): nearing its due time.
    const dueBy = Math.floor(Date.now() / 1000) + 86_400;
    const [created] = disputeEvents(charge, [{ type: 'created', dueBy }]);
    assert.equal(await webhook(created!), 200);
    const disputeId = disputeIdOf(created!);
    await disputeRecords(charge, disputeId, 1);

    const found = await waitUntil(async () => {
      for await (const wf of suite.temporal.workflow.list({
        query: `WorkflowType = 'DisputeWorkflow' AND OrderId = '${charge.order_id}' AND DisputeStatus = 'needs_response'`,
      }))
        return wf;
      return undefined;
    }, 'the dispute by OrderId and DisputeStatus');
    assert.equal(found.workflowId, disputeWorkflowId(disputeId));
    assert.equal(found.typedSearchAttributes.get(DisputeStatusSearchAttribute), 'needs_response');
    assert.equal(
      found.typedSearchAttributes.get(DisputeEvidenceDueBySearchAttribute)?.toISOString(),
      new Date(dueBy * 1000).toISOString(),
    );
    const metadata = await suite.temporal.workflow
      .getHandle(disputeWorkflowId(disputeId))
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(
      metadata.currentDetails ?? '',
      new RegExp(`due by ${new Date(dueBy * 1000).toISOString().replace(/\.000Z$/, 'Z')}`),
    );
    assert.match(metadata.currentDetails ?? '', new RegExp(`order ${charge.order_id}`));

    await waitUntil(async () => {
      const metrics = await (await fetch(`${suite.service.url}/metrics`)).text();
      return (
        /payments_disputes_open\{[^}]*status="needs_response"[^}]*\} [1-9]/.test(metrics) &&
        /payments_disputes_evidence_due_soon\{[^}]*\} [1-9]/.test(metrics)
      );
    }, 'the open and due-soon gauges counting it');
    const listed = (await state(charge.event_id)).disputes ?? [];
    assert.deepEqual(
      listed.map((d) => [d.dispute_id, d.status, d.evidence_due_by]),
      [[disputeId, 'needs_response', new Date(dueBy * 1000).toISOString()]],
    );
    await suite.temporal.workflow.getHandle(disputeWorkflowId(disputeId)).terminate('test done');
  });

  it("npm run webhook plays a local charge's dispute step by step", async () => {
    const charge = await succeededCharge();
    const run = async (step: string): Promise<string> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/send-webhook.ts', charge.event_id, 'dispute', step],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            PAYMENTS_URL: suite.service.url,
            // Signed here (npm run webhook's local mode), not played through a stand-in.
            STRIPE_API_BASE: '',
            CHARGE_API_TOKEN: TEST_API_TOKEN,
            STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
          },
        },
      );
      return stdout;
    };
    const first = await run('created');
    assert.match(first, /charge\.dispute\.created \(needs_response\) of du_local_\w+ .* → 200/);
    await run('funds_withdrawn');
    await run('lost');
    const disputeId = /of (du_local_\w+)/.exec(first)?.[1] ?? '';
    const records = await disputeRecords(charge, disputeId, 3);
    assert.deepEqual(
      records.map((r) => r.headers['change']),
      ['opened', 'funds_withdrawn', 'closed'],
    );
  });

  it('acknowledges a dispute on a payment this service did not create, publishes nothing, and counts it', async () => {
    // Made in the same Stripe account by something else: no metadata of ours.
    const foreign = {
      pi: (await suite.standin.stripe.paymentIntents.create({ amount: 3000, currency: 'usd' })).id,
    };
    const [created] = disputeEvents(foreign, [{ type: 'created' }]);
    assert.equal(await webhook(created!), 200);
    const disputeId = disputeIdOf(created!);
    const record = await suite.temporal.workflow
      .getHandle<typeof DisputeWorkflow>(disputeWorkflowId(disputeId))
      .result();
    assert.equal(record.event_id, null);
    assert.equal(await webhook(created!), 200, 'a repeat is acknowledged too');
    const metrics = await waitUntil(async () => {
      const text = await (await fetch(`${suite.service.url}/metrics`)).text();
      return /payments_disputes_not_ours[^\n]*reason="no_metadata"[^\n]* [1-9]/.test(text) ? text : undefined;
    }, 'the not-ours counter');
    assert.ok(metrics);
  });
});
