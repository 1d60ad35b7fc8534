/**
 * LateOutcomeWorkflow on the time-skipping server with typed mocked activities: money Stripe took
 * after a charge ended failed or canceled is refunded (default) or announced, once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import type { ChargeRecord } from '../../src/contracts/charge';
import {
  LATE_SUCCESS_CAUSE,
  lateOutcomeWorkflowId,
  lateSuccessRefundId,
  type LateOutcomeWorkflowInput,
} from '../../src/contracts/late-outcome';
import type { PaymentEventV1 } from '../../src/contracts/payment-event';
import type { PaymentEventPayload } from '../../src/contracts/payment-provider';
import type { RefundEventV1 } from '../../src/contracts/refund';
import { LateOutcomeWorkflow } from '../../src/workflows/late-outcome';
import { lateStripeEventSignal } from '../../src/workflows/messages';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';

function announcedFailed(eventId: string): ChargeRecord {
  return {
    event_id: eventId,
    order_id: `order-${eventId}`,
    status: 'failed',
    amount: 2500,
    currency: 'eur',
    payment_intent_id: 'pi_late',
    failure: { code: 'card_declined', message: 'Your card was declined.' },
    updated_at: '2026-12-01T00:00:00.000Z',
  };
}

const succeeded = (id = `evt_${randomUUID()}`): PaymentEventPayload => ({
  stripe_event_id: id,
  type: 'payment_intent.succeeded',
  created: 1_800_000_000,
  payment_intent_id: 'pi_late',
  payment_intent_status: 'succeeded',
  failure: null,
  amount: 2500,
  currency: 'eur',
});

function mocks(refundStatus: 'succeeded' | 'pending' = 'succeeded') {
  const refunds: Array<{ refund_id: string; amount: number; payment_intent_id: string }> = [];
  const refundRecords: RefundEventV1[] = [];
  const paymentRecords: PaymentEventV1[] = [];
  let retrieved = 0;
  const activities: Partial<ChargeActivities> = {
    createRefund: async (input) => {
      refunds.push(input);
      return { stripe_refund_id: 're_late', status: refundStatus, failure: null };
    },
    retrieveRefund: async () => {
      retrieved += 1;
      return { stripe_refund_id: 're_late', status: 'succeeded', failure: null };
    },
    publishRefundEvent: async (event) => {
      refundRecords.push(event);
      return { topic: 'payments.refunded', message_id: event.refund_id };
    },
    publishPaymentEvent: async (event) => {
      paymentRecords.push(event);
      return { topic: 'payments.completed', message_id: event.event_id };
    },
  };
  return { activities, refunds, refundRecords, paymentRecords, retrievals: () => retrieved };
}

describe('LateOutcomeWorkflow', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  async function run(
    activities: Partial<ChargeActivities>,
    input: Omit<LateOutcomeWorkflowInput, 'event_id'>,
    events: PaymentEventPayload[],
  ): Promise<{ verdict: string; eventId: string }> {
    const taskQueue = uniqueTaskQueue('late');
    const worker = await createTestWorker(env, taskQueue, activities);
    const eventId = `evt-${randomUUID()}`;
    const verdict = await worker.runUntil(async () => {
      const [first, ...rest] = events;
      const handle = await env.client.workflow.signalWithStart(LateOutcomeWorkflow, {
        workflowId: lateOutcomeWorkflowId(eventId),
        taskQueue,
        args: [{ ...input, event_id: eventId }],
        signal: lateStripeEventSignal,
        signalArgs: [first ?? succeeded()],
      });
      for (const event of rest) await handle.signal(lateStripeEventSignal, event);
      return handle.result();
    });
    return { verdict, eventId };
  }

  it('refunds money taken after the charge was announced failed, once, and announces the refund with its cause', async () => {
    const m = mocks();
    const event = succeeded();
    const { verdict, eventId } = await run(
      m.activities,
      { announced: announcedFailed('x'), order_id: 'order-x', nothing_announced: false, policy: 'refund' },
      [event, event],
    );
    assert.equal(verdict, 'settled');
    assert.equal(m.refunds.length, 1);
    assert.equal(m.refunds[0]?.amount, 2500);
    assert.equal(m.refunds[0]?.refund_id, lateSuccessRefundId(eventId));
    assert.equal(m.refundRecords.length, 1);
    assert.equal(m.refundRecords[0]?.status, 'succeeded');
    assert.equal(m.refundRecords[0]?.cause, LATE_SUCCESS_CAUSE);
    assert.equal(m.paymentRecords.length, 0);
  });

  it('waits for a pending refund to finish before announcing it', async () => {
    const m = mocks('pending');
    const { verdict } = await run(
      m.activities,
      { announced: announcedFailed('y'), order_id: 'order-y', nothing_announced: false, policy: 'refund' },
      [succeeded()],
    );
    assert.equal(verdict, 'settled');
    assert.ok(m.retrievals() >= 1);
    assert.equal(m.refundRecords[0]?.status, 'succeeded');
  });

  it('announces the success instead under the announce policy, and never refunds', async () => {
    const m = mocks();
    await run(
      m.activities,
      { announced: announcedFailed('z'), order_id: 'order-z', nothing_announced: false, policy: 'announce' },
      [succeeded()],
    );
    assert.equal(m.refunds.length, 0);
    assert.deepEqual(
      m.paymentRecords.map((r) => r.status),
      ['succeeded'],
    );
  });

  it('announces the success when the charge never announced anything (its workflow failed)', async () => {
    const m = mocks();
    await run(
      m.activities,
      { announced: null, order_id: 'order-n', nothing_announced: true, policy: 'refund' },
      [succeeded()],
    );
    assert.equal(m.refunds.length, 0);
    assert.equal(m.paymentRecords.length, 1);
  });

  it('moves no money when what was announced is no longer known, and leaves it to an operator', async () => {
    const m = mocks();
    const { verdict } = await run(
      m.activities,
      { announced: null, order_id: 'order-u', nothing_announced: false, policy: 'refund' },
      [succeeded()],
    );
    assert.equal(verdict, 'operator');
    assert.equal(m.refunds.length, 0);
    assert.equal(m.refundRecords.length + m.paymentRecords.length, 0);
  });
});
