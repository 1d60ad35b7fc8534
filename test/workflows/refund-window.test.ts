/**
 * The refund window: once it has closed no new refund is taken, even while the refunds workflow is
 * still open waiting for a refund Stripe has not finished; a repeat of a known refund is answered.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows, type ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import { REFUND_WINDOW_CLOSED } from '../../src/contracts/refund';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';

const WINDOW_SECONDS = 3600;

describe('RefundsWorkflow after its window', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let charges: ChargeWorkflows;

  before(async () => {
    env = await createTimeSkippingEnv();
    const taskQueue = uniqueTaskQueue('refund-window');
    const activities: Partial<ChargeActivities> = {
      // Stripe keeps every refund pending: the workflow stays open past its window.
      createRefund: async (input) => ({
        stripe_refund_id: `re_${input.refund_id}`,
        status: 'pending',
        failure: null,
      }),
      publishRefundEvent: async (event) => ({ topic: 'payments.refunded', message_id: event.refund_id }),
    };
    worker = await createTestWorker(env, taskQueue, activities);
    running = worker.run();
    charges = createChargeWorkflows(env.client, taskQueue);
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('refuses a new refund once the window has closed, and still answers a repeat', async () => {
    const id = randomUUID();
    const charge: ChargeRecord = {
      event_id: `evt-window-${id}`,
      order_id: `order-window-${id}`,
      status: 'succeeded',
      amount: 10_000,
      currency: 'eur',
      payment_intent_id: 'pi_window',
      failure: null,
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const input = { charge, window_seconds: WINDOW_SECONDS };
    const first = { refund_id: `r1-${id}`, amount: 1000 };
    assert.equal((await charges.refund(input, first)).kind, 'ok');

    await env.sleep(`${WINDOW_SECONDS + 60} seconds`);

    const late = await charges.refund(input, { refund_id: `r2-${id}`, amount: 1000 });
    assert.deepEqual(late.kind === 'rejected' && late.type, REFUND_WINDOW_CLOSED, JSON.stringify(late));
    const repeat = await charges.refund(input, first);
    assert.equal(repeat.kind === 'ok' && repeat.value.duplicate, true, JSON.stringify(repeat));
  });
});
