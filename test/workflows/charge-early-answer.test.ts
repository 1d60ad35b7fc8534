/**
 * ChargeWorkflow's early answer and its current details, on the time-skipping test server with typed
 * mocked activities: the awaitPaymentIntent update returns the record once the PaymentIntent exists
 * (or once the charge ended without one), with the client_secret and next_action the create returned
 * while the charge awaits the customer (never in its result); the Web UI's "current details" (the
 * workflow metadata query) say the status, the PaymentIntent and what the charge waits for, and never
 * the secret. A charge whose create result carries no secret (as recorded before the workflow kept it)
 * reads it once through loadClientSecret (the retrieve activity), however many callers ask at once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId, type ChargeRecord, type ChargeRequest } from '../../src/contracts/charge';
import type { PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import {
  awaitPaymentIntentUpdate,
  chargeStateQuery,
  loadClientSecretUpdate,
  stripeEventSignal,
} from '../../src/workflows/messages';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';

function chargeRequest(): ChargeRequest {
  const id = randomUUID();
  return { event_id: `evt-early-${id}`, order_id: `order-early-${id}`, amount: 1999, currency: 'usd' };
}

function activities(create: () => Promise<PaymentIntentOutcome>): Partial<ChargeActivities> {
  return {
    createPaymentIntent: create,
    retrievePaymentIntent: async ({ payment_intent_id: id }) => ({
      id,
      status: 'requires_payment_method',
      failure: null,
    }),
    cancelPaymentIntent: async ({ payment_intent_id: id }) => ({ id, status: 'canceled', failure: null }),
    publishPaymentEvent: async () => ({ topic: 'payments.completed', message_id: 'm' }),
  };
}

function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

interface WorkflowMetadata {
  readonly currentDetails?: string;
}

describe('ChargeWorkflow: the early answer and the current details', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  async function within<T>(
    mocks: Partial<ChargeActivities>,
    drive: (request: ChargeRequest, taskQueue: string) => Promise<T>,
  ): Promise<T> {
    const taskQueue = uniqueTaskQueue('charge-early');
    const worker = await createTestWorker(env, taskQueue, mocks);
    return worker.runUntil(drive(chargeRequest(), taskQueue));
  }

  const handleOf = (request: ChargeRequest) =>
    env.client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
  const details = async (request: ChargeRequest) =>
    (await handleOf(request).query<WorkflowMetadata>('__temporal_workflow_metadata')).currentDetails ?? '';

  it('answers the update once the PaymentIntent exists, with the record and its client_secret (never in the result)', async () => {
    const create = gate();
    await within(
      activities(async () => {
        await create.opened;
        return {
          id: 'pi_early',
          status: 'requires_payment_method',
          failure: null,
          client_secret: 'pi_early_secret_wf',
          next_action: null,
        };
      }),
      async (request, taskQueue) => {
        await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
        const handle = handleOf(request);
        const answer = handle.executeUpdate(awaitPaymentIntentUpdate);
        // Still creating: the current details say so, and the update has not answered.
        await waitFor(async () => /creating the Stripe PaymentIntent/.test(await details(request)));
        assert.match(await details(request), /\*\*PaymentIntent:\*\* not created yet/);
        create.open();
        const record: ChargeRecord = await answer;
        assert.equal(record.payment_intent_id, 'pi_early');
        assert.equal(record.status, 'pending');
        assert.deepEqual(Object.keys(record).sort(), [
          'amount',
          'client_secret',
          'currency',
          'event_id',
          'failure',
          'next_action',
          'order_id',
          'payment_intent_id',
          'status',
          'updated_at',
        ]);
        assert.equal(record.client_secret, 'pi_early_secret_wf');
        assert.equal(record.next_action, null);
        assert.equal((await handle.query(chargeStateQuery)).client_secret, 'pi_early_secret_wf');
        // Once it exists, a second update answers at once.
        assert.equal((await handle.executeUpdate(awaitPaymentIntentUpdate)).payment_intent_id, 'pi_early');
        await handle.signal(stripeEventSignal, {
          stripe_event_id: 'evt_s',
          type: 'payment_intent.succeeded',
          created: 1,
          payment_intent_id: 'pi_early',
          payment_intent_status: 'succeeded',
          failure: null,
        });
        const result = await handle.result();
        assert.equal(result.status, 'succeeded');
        assert.equal('client_secret' in result, false);
        assert.equal('client_secret' in (await handle.query(chargeStateQuery)), false);
      },
    );
  });

  it('a charge whose create carried no secret (recorded before it was kept): loadClientSecret reads it once, on the Stripe queue, for every caller', async () => {
    const retrieved: string[] = [];
    const read = gate();
    await within(
      {
        ...activities(async () => ({ id: 'pi_old', status: 'requires_payment_method', failure: null })),
        retrievePaymentIntent: async ({ payment_intent_id: id }) => {
          retrieved.push(id);
          await read.opened;
          return {
            id,
            status: 'requires_payment_method',
            failure: null,
            client_secret: `${id}_secret_read`,
            next_action: null,
          };
        },
      },
      async (request, taskQueue) => {
        await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
        const handle = handleOf(request);
        await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id !== null);
        assert.equal('client_secret' in (await handle.query(chargeStateQuery)), false, 'not held');
        const callers = [1, 2, 3].map(() => handle.executeUpdate(loadClientSecretUpdate));
        await waitFor(async () => retrieved.length > 0);
        read.open();
        const answers = await Promise.all(callers);
        assert.deepEqual(
          answers.map((a) => a.client_secret),
          ['pi_old_secret_read', 'pi_old_secret_read', 'pi_old_secret_read'],
        );
        assert.deepEqual(retrieved, ['pi_old'], 'one read for the three callers');
        const held = await handle.query(chargeStateQuery);
        assert.equal(held.client_secret, 'pi_old_secret_read');
        assert.equal(held.status, 'pending');
        // Held now: another call answers without reading.
        assert.equal(
          (await handle.executeUpdate(loadClientSecretUpdate)).client_secret,
          'pi_old_secret_read',
        );
        assert.equal(retrieved.length, 1);
        await handle.terminate('test over');
      },
    );
  });

  it('answers the update with a charge that ended without a PaymentIntent', async () => {
    const create = gate();
    await within(
      activities(async () => {
        await create.opened;
        throw ApplicationFailure.create({
          type: 'StripeInvalidRequestError',
          message: 'No such customer',
          nonRetryable: true,
          details: [
            { failure: { code: 'resource_missing', message: 'No such customer' }, payment_intent_id: null },
          ],
        });
      }),
      async (request, taskQueue) => {
        await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
        const answer = handleOf(request).executeUpdate(awaitPaymentIntentUpdate);
        await waitFor(async () => /creating/.test(await details(request)));
        create.open();
        const record = await answer;
        assert.equal(record.status, 'failed');
        assert.equal(record.payment_intent_id, null);
        assert.equal(record.failure?.code, 'resource_missing');
      },
    );
  });

  it('shows what a waiting charge waits for: the customer, then 3-D Secure with the time it is canceled', async () => {
    await within(
      activities(async () => ({
        id: 'pi_wait',
        status: 'requires_payment_method',
        failure: null,
        client_secret: 'pi_wait_secret_details',
        next_action: null,
      })),
      async (request, taskQueue) => {
        await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
        const handle = handleOf(request);
        await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id !== null);
        await waitFor(async () => /Waiting for/.test(await details(request)));
        const pending = await details(request);
        assert.match(pending, /\*\*Status:\*\* pending/);
        assert.match(pending, /\*\*PaymentIntent:\*\* pi_wait/);
        assert.match(pending, /the customer to pay in the storefront/);
        assert.match(pending, /asks Stripe at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
        assert.doesNotMatch(pending, /_secret_/);

        await handle.signal(stripeEventSignal, {
          stripe_event_id: 'evt_ra',
          type: 'payment_intent.requires_action',
          created: 1,
          payment_intent_id: 'pi_wait',
          payment_intent_status: 'requires_action',
          failure: null,
          client_secret: 'pi_wait_secret_details',
          next_action: {
            type: 'redirect_to_url',
            redirect_to_url: {
              url: 'https://hooks.stripe.com/3ds?c=pi_wait_secret_details',
              return_url: null,
            },
          },
        });
        await waitFor(async () => /requires_action/.test(await details(request)));
        const action = await details(request);
        assert.doesNotMatch(action, /_secret_/, 'the current details never show the secret');
        assert.equal(
          ((await handle.query(chargeStateQuery)).next_action as { type?: string } | null)?.type,
          'redirect_to_url',
        );
        assert.match(action, /authentication their bank asked for/);
        assert.match(action, /canceled at \d{4}-/);
        await handle.terminate('test over');
      },
    );
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
