/**
 * What every RefundsWorkflow test starts with: a time-skipping server, a worker on a task queue of
 * its own with the activities the test plays (Stripe's refunds, the publish), the gateway's port to
 * the workflows, and a succeeded charge to refund.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows, type ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from './workflow-env';

export interface RefundsEnv {
  readonly env: TestWorkflowEnvironment;
  readonly taskQueue: string;
  /** The gateway's port to the workflows, through `client` when one was given. */
  readonly charges: ChargeWorkflows;
  stop(): Promise<void>;
}

/**
 * Starts the server and a worker with `activities`. `client` (made from the environment): when the
 * test needs another client than the environment's own, e.g. one that does not skip time.
 */
export async function startRefundsEnv(
  name: string,
  activities: Partial<ChargeActivities>,
  client?: (env: TestWorkflowEnvironment) => Client,
): Promise<RefundsEnv> {
  const env = await createTimeSkippingEnv();
  const taskQueue = uniqueTaskQueue(name);
  const worker = await createTestWorker(env, taskQueue, activities);
  const running = worker.run();
  return {
    env,
    taskQueue,
    charges: createChargeWorkflows(client?.(env) ?? env.client, taskQueue),
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** A succeeded charge of 10,000 eur (or as overridden), its refund window running from now. */
export function succeededCharge(prefix: string, overrides: Partial<ChargeRecord> = {}): ChargeRecord {
  const id = randomUUID();
  return {
    event_id: `evt-${prefix}-${id}`,
    order_id: `order-${prefix}-${id}`,
    status: 'succeeded',
    amount: 10_000,
    currency: 'eur',
    payment_intent_id: `pi_${prefix.replace(/[^a-z0-9]/gi, '')}_${id.slice(0, 8)}`,
    failure: null,
    updated_at: new Date().toISOString(), // the refund window runs from the charge's success
    ...overrides,
  };
}
