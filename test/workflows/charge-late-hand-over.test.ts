/**
 * ChargeWorkflow on the time-skipping server: money Stripe reports taken while the charge is still
 * announcing that it failed (the webhook reaches a running workflow, so the webhook receiver answers
 * 200 and hands nothing over) is handed by the charge itself to its late-outcome handling before it
 * closes: refunded once and announced. Its own file and server: the late-outcome workflow it
 * abandons must not share a time-skipping server with tests that wait on timers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId, type ChargeRequest } from '../../src/contracts/charge';
import {
  LATE_SUCCESS_CAUSE,
  lateOutcomeWorkflowId,
  lateSuccessRefundId,
} from '../../src/contracts/late-outcome';
import type { PaymentEventV1 } from '../../src/contracts/payment-event';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { LateOutcomeWorkflow } from '../../src/workflows/late-outcome';
import { stripeEventSignal } from '../../src/workflows/messages';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';
import { waitUntil } from '../support/wait';

describe('ChargeWorkflow: money taken while it announces a failure', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  it('hands it to the late-outcome handling before it closes (refunded once, announced with its cause)', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const published: PaymentEventV1[] = [];
    const refunds: string[] = [];
    const refundRecords: string[] = [];
    const activities: Partial<ChargeActivities> = {
      createPaymentIntent: async () => {
        throw ApplicationFailure.create({
          type: 'StripeCardError',
          message: 'Your card was declined.',
          nonRetryable: true,
          details: [{ failure: { code: 'card_declined', message: 'declined' }, payment_intent_id: 'pi_wf' }],
        });
      },
      cancelPaymentIntent: async (input) => ({
        id: input.payment_intent_id,
        status: 'canceled',
        failure: null,
      }),
      // The success webhook comes while payments.failed is being published.
      publishPaymentEvent: async (event) => {
        published.push(event);
        await released;
        return { topic: 'payments.failed', message_id: 'm' };
      },
      createRefund: async (input) => {
        refunds.push(`${input.refund_id}:${input.amount}:${input.payment_intent_id}`);
        return { stripe_refund_id: 're_late', status: 'succeeded', failure: null };
      },
      publishRefundEvent: async (event) => {
        refundRecords.push(`${event.status}:${event.cause ?? ''}`);
        return { topic: 'payments.refunded', message_id: event.refund_id };
      },
    };
    const id = randomUUID();
    const request: ChargeRequest = {
      event_id: `evt-${id}`,
      order_id: `order-${id}`,
      amount: 1999,
      currency: 'usd',
      payment_method: 'pm_card_chargeDeclined',
    };
    const taskQueue = uniqueTaskQueue('charge-late');
    const worker = await createTestWorker(env, taskQueue, activities);
    const { record, verdict } = await worker.runUntil(async () => {
      await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
      const charge = env.client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
      await waitUntil(async () => published.length === 1 || undefined, 'payments.failed being published');
      await charge.signal(stripeEventSignal, {
        stripe_event_id: `evt_${randomUUID()}`,
        type: 'payment_intent.succeeded',
        created: 300,
        payment_intent_id: 'pi_wf',
        payment_intent_status: 'succeeded',
        failure: null,
        amount: 1999,
      });
      release();
      // The handling outlives the charge: its result is read while this worker still runs.
      const late = env.client.workflow.getHandle<typeof LateOutcomeWorkflow>(
        lateOutcomeWorkflowId(request.event_id),
      );
      await waitUntil(
        () =>
          late.describe().then(
            () => true,
            () => undefined,
          ),
        'the late-outcome workflow to start',
      );
      return { record: await charge.result(), verdict: await late.result() };
    });
    assert.equal(record.status, 'failed', 'the charge keeps what it announced');
    assert.deepEqual(
      published.map((e) => e.status),
      ['failed'],
    );
    assert.equal(verdict, 'settled');
    assert.deepEqual(refunds, [`${lateSuccessRefundId(request.event_id)}:1999:pi_wf`], 'refunded once');
    assert.deepEqual(refundRecords, [`succeeded:${LATE_SUCCESS_CAUSE}`], 'and the platform hears why');
  });
});
