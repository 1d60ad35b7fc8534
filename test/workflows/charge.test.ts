import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import type { ChargeActivities } from '../../src/activities';
import type { PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import { createStripeActivities } from '../../src/stripe/activities';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import {
  chargeWorkflowId,
  DEFAULT_CHARGE_TIMING,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeTiming,
} from '../../src/contracts/charge';
import type { PaymentEventV1 } from '../../src/contracts/payment-event';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { chargeStateQuery, stripeEventSignal } from '../../src/workflows/messages';
import type { PaymentEventPayload } from '../../src/contracts/payment-provider';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';
import { PROVIDER_INVALID_REQUEST } from '../../src/contracts/payment-provider';

function chargeRequest(): ChargeRequest {
  const id = randomUUID();
  return { event_id: `evt-${id}`, order_id: `order-${id}`, amount: 1999, currency: 'usd' };
}

function stripeEvent(
  type: string,
  created: number,
  pi = 'pi_wf',
  id = `evt_${randomUUID()}`,
): PaymentEventPayload {
  return {
    stripe_event_id: id,
    type,
    created,
    payment_intent_id: pi,
    payment_intent_status: type.replace('payment_intent.', ''),
    failure: null,
  };
}

/** Typed mocks of the activities: record what the workflow asked for, answer as told. */
function mockActivities(
  createResult: () => Promise<PaymentIntentOutcome>,
  overrides: Partial<ChargeActivities> = {},
) {
  const published: PaymentEventV1[] = [];
  const calls: string[] = [];
  const activities: ChargeActivities = {
    createPaymentIntent: async (_request, generation = 1) => {
      calls.push(`create:g${generation}`);
      return createResult();
    },
    retrievePaymentIntent: async ({ payment_intent_id: id }) => {
      calls.push('retrieve');
      return { id, status: 'requires_payment_method', failure: null };
    },
    findPaymentIntentByEventId: async () => {
      calls.push('find');
      return null;
    },
    cancelPaymentIntent: async (input) => {
      calls.push('cancel');
      return { id: input.payment_intent_id, status: 'canceled', failure: null };
    },
    createRefund: async (input) => ({
      stripe_refund_id: `re_${input.refund_id}`,
      status: 'succeeded',
      failure: null,
    }),
    findRefund: async () => null,
    retrieveRefund: async (input) => ({
      stripe_refund_id: input.stripe_refund_id,
      status: 'succeeded',
      failure: null,
    }),
    publishRefundEvent: async (event) => ({ topic: 'payments.refunded', message_id: event.refund_id }),
    // Disputes have their own workflow: a charge never asks for these.
    retrievePaymentIntentForDispute: async () => assert.fail('a charge never reads a dispute'),
    publishDisputeEvent: async () => assert.fail('a charge never publishes a dispute'),
    // Automatic charges are never authorized: manual capture has its own tests (charge-capture.test.ts).
    capturePaymentIntent: async () => assert.fail('an automatic charge is never captured'),
    publishAuthorizedEvent: async () => assert.fail('an automatic charge is never announced authorized'),
    publishPaymentEvent: async (event) => {
      published.push(event);
      return {
        topic: event.status === 'succeeded' ? 'payments.completed' : 'payments.failed',
        message_id: 'm',
      };
    },
    ...overrides,
  };
  return { activities, published, calls };
}

const waiting = async (): Promise<PaymentIntentOutcome> => ({
  id: 'pi_wf',
  status: 'requires_payment_method',
  failure: null,
});

describe('ChargeWorkflow', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  async function run(
    activities: Partial<ChargeActivities>,
    drive: (request: ChargeRequest) => Promise<void> = async () => undefined,
    timing?: ChargeTiming,
    requestOverrides: Partial<ChargeRequest> = {},
  ): Promise<ChargeRecord> {
    const taskQueue = uniqueTaskQueue('charge-wf');
    const worker = await createTestWorker(env, taskQueue, activities);
    const request = { ...chargeRequest(), ...requestOverrides };
    return worker.runUntil(async () => {
      const started = await createChargeWorkflows(env.client, taskQueue).start({
        request,
        payload_hash: 'h',
        ...(timing ? { timing } : {}),
      });
      assert.equal(started.kind, 'started');
      await drive(request);
      return env.client.workflow
        .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id))
        .result();
    });
  }

  it('succeeds at once when Stripe confirms the PaymentIntent on create, and publishes payments.completed', async () => {
    const { activities, published } = mockActivities(async () => ({
      id: 'pi_wf',
      status: 'succeeded',
      failure: null,
    }));
    const record = await run(activities);
    assert.equal(record.status, 'succeeded');
    assert.equal(record.payment_intent_id, 'pi_wf');
    assert.equal(published.length, 1);
    assert.equal(published[0]?.status, 'succeeded');
    assert.equal(published[0]?.event_id, record.event_id);
  });

  it('waits for the webhook signal, then succeeds', async () => {
    const { activities, published } = mockActivities(async () => ({
      id: 'pi_wf',
      status: 'requires_payment_method',
      failure: null,
    }));
    const record = await run(activities, async (request) => {
      const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
      await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id === 'pi_wf');
      assert.equal((await handle.query(chargeStateQuery)).status, 'pending');
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.succeeded', 100));
    });
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(
      published.map((p) => p.status),
      ['succeeded'],
    );
  });

  it('ends failed on a server-confirmed decline only after canceling its PaymentIntent at Stripe, then publishes payments.failed', async () => {
    const { activities, published, calls } = mockActivities(async () => {
      throw ApplicationFailure.create({
        type: 'StripeCardError',
        message: 'Your card was declined.',
        nonRetryable: true,
        details: [
          {
            failure: { code: 'card_declined', message: 'Your card was declined.' },
            payment_intent_id: 'pi_d',
          },
        ],
      });
    });
    const record = await run(activities, undefined, undefined, { payment_method: 'pm_card_chargeDeclined' });
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.failure, { code: 'card_declined', message: 'Your card was declined.' });
    assert.equal(record.payment_intent_id, 'pi_d');
    assert.deepEqual(
      calls,
      ['create:g1', 'cancel'],
      'the open PaymentIntent is closed before the announcement',
    );
    assert.equal(published.length, 1);
    assert.equal(published[0]?.status, 'failed');
    assert.deepEqual(published[0]?.failure, record.failure);
  });

  it('keeps a browser charge open after a decline, shows it, and succeeds when the customer retries with another card', async () => {
    const { activities, published, calls } = mockActivities(waiting);
    const decline = {
      code: 'card_declined',
      message: 'Your card was declined.',
      decline_code: 'generic_decline',
    };
    const record = await run(activities, async (request) => {
      const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
      await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id === 'pi_wf');
      await handle.signal(stripeEventSignal, {
        ...stripeEvent('payment_intent.payment_failed', 100),
        failure: decline,
      });
      await waitFor(async () => (await handle.query(chargeStateQuery)).status === 'requires_payment_method');
      assert.deepEqual((await handle.query(chargeStateQuery)).failure, decline, 'the storefront sees why');
      assert.equal(published.length, 0, 'nothing is announced while the customer may still pay');
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.succeeded', 200));
    });
    assert.equal(record.status, 'succeeded');
    assert.equal(record.failure, null);
    assert.deepEqual(
      published.map((e) => e.status),
      ['succeeded'],
    );
    assert.ok(!calls.includes('cancel'));
  });

  it('ends a declined browser charge failed at its deadline, after canceling the PaymentIntent at Stripe', async () => {
    const decline = { code: 'card_declined', message: 'Your card was declined.' };
    const { activities, published, calls } = mockActivities(waiting, {
      retrievePaymentIntent: async ({ payment_intent_id: id }) => {
        calls.push('retrieve');
        return { id, status: 'requires_payment_method', failure: decline };
      },
    });
    const record = await run(
      activities,
      async (request) => {
        const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
        await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id === 'pi_wf');
        await handle.signal(stripeEventSignal, {
          ...stripeEvent('payment_intent.payment_failed', 100),
          failure: decline,
        });
      },
      { ...DEFAULT_CHARGE_TIMING, reconcile_deadline_seconds: 3600 },
    );
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.failure, decline);
    assert.equal(calls.at(-1), 'cancel', 'canceled at Stripe before the announcement');
    assert.deepEqual(
      published.map((e) => e.status),
      ['failed'],
    );
  });

  it('keeps waiting through a Stripe outage of hours and publishes the outcome when Stripe answers again', async () => {
    let attempts = 0;
    const { activities, published } = mockActivities(waiting, {
      retrievePaymentIntent: async ({ payment_intent_id: id }) => {
        attempts += 1;
        if (attempts <= 25) {
          throw ApplicationFailure.create({ type: 'StripeTransientError', message: 'Stripe is down' });
        }
        return { id, status: 'succeeded', failure: null, amount: 1999, currency: 'usd' };
      },
    });
    const record = await run(activities);
    assert.ok(attempts > 25, `the retrieve was retried through the outage (${attempts} attempts)`);
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(
      published.map((e) => e.status),
      ['succeeded'],
    );
  });

  it('ignores duplicate, stale and foreign events, and never moves backwards', async () => {
    const { activities, published } = mockActivities(async () => ({
      id: 'pi_wf',
      status: 'requires_payment_method',
      failure: null,
    }));
    const record = await run(activities, async (request) => {
      const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
      await waitFor(async () => (await handle.query(chargeStateQuery)).payment_intent_id === 'pi_wf');
      const processing = stripeEvent('payment_intent.processing', 200);
      await handle.signal(stripeEventSignal, processing);
      await handle.signal(stripeEventSignal, processing);
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.requires_action', 100));
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.succeeded', 300, 'pi_someone_else'));
      const state = await handle.query(chargeStateQuery);
      assert.equal(state.status, 'processing');
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.succeeded', 300));
      await handle
        .signal(stripeEventSignal, stripeEvent('payment_intent.payment_failed', 400))
        .catch(() => undefined);
    });
    assert.equal(record.status, 'succeeded');
    assert.equal(published.length, 1);
  });

  it('applies a webhook that arrives before the PaymentIntent create returns', async () => {
    let releaseCreate: () => void = () => undefined;
    const created = new Promise<void>((resolve) => {
      releaseCreate = resolve;
    });
    const { activities } = mockActivities(async () => {
      await created;
      return { id: 'pi_wf', status: 'requires_payment_method', failure: null };
    });
    const record = await run(activities, async (request) => {
      const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
      await handle.signal(stripeEventSignal, stripeEvent('payment_intent.succeeded', 100));
      releaseCreate();
    });
    assert.equal(record.status, 'succeeded');
  });

  it('retries a retryable Stripe error with the same idempotency key on every attempt', async () => {
    const keys: string[] = [];
    let calls = 0;
    const fakeStripe = {
      paymentIntents: {
        create: async (params: Stripe.PaymentIntentCreateParams, options?: Stripe.RequestOptions) => {
          calls += 1;
          keys.push(options?.idempotencyKey ?? '(none)');
          if (calls < 3) {
            throw new Stripe.errors.StripeAPIError({
              message: 'overloaded',
              type: 'api_error',
              statusCode: 503,
            });
          }
          return {
            id: 'pi_retry',
            status: 'succeeded',
            last_payment_error: null,
            amount: params.amount,
          } as Stripe.PaymentIntent;
        },
      },
    } as unknown as Stripe;
    const { activities: mocks } = mockActivities(waiting);
    const real = createStripeActivities({ stripe: fakeStripe, metrics: undefined });
    const record = await run({
      ...mocks,
      createPaymentIntent: (request, generation) => real.createPaymentIntent(request, generation),
    });
    assert.equal(record.status, 'succeeded');
    assert.equal(calls, 3);
    assert.equal(new Set(keys).size, 1, `one key for every attempt, got ${keys.join(', ')}`);
    assert.equal(keys[0], `payments:create-payment-intent:${record.event_id}`);
  });

  it('reconciles with Stripe when no webhook comes, and proceeds on the real status', async () => {
    const { activities, calls } = mockActivities(waiting, {
      retrievePaymentIntent: async ({ payment_intent_id: id }) => ({
        id,
        status: 'succeeded',
        failure: null,
      }),
    });
    // Time skipping jumps over the 10-minute wait: the default timing is what runs here.
    const record = await run(activities);
    assert.equal(record.status, 'succeeded');
    assert.ok(!calls.includes('cancel'));
  });

  it('cancels a charge left in requires_action past its window and publishes payments.failed', async () => {
    const { activities, calls, published } = mockActivities(
      async () => ({
        id: 'pi_wf',
        status: 'requires_action',
        failure: null,
      }),
      {
        retrievePaymentIntent: async ({ payment_intent_id: id }) => ({
          id,
          status: 'requires_action',
          failure: null,
        }),
      },
    );
    const record = await run(activities, undefined, {
      ...DEFAULT_CHARGE_TIMING,
      requires_action_window_seconds: 3600,
    });
    assert.equal(record.status, 'canceled');
    assert.equal(record.failure?.code, 'requires_action_expired');
    assert.ok(calls.includes('cancel'));
    assert.equal(published[0]?.status, 'canceled');
  });

  it('cancels a charge that never reaches a final status before its deadline', async () => {
    const { activities, calls } = mockActivities(waiting);
    const record = await run(activities, undefined, {
      ...DEFAULT_CHARGE_TIMING,
      reconcile_deadline_seconds: 2 * 3600,
    });
    assert.equal(record.status, 'canceled');
    assert.equal(record.failure?.code, 'charge_expired');
    assert.ok(calls.filter((c) => c === 'retrieve').length >= 3, 'reconciled with backoff before giving up');
  });

  it('never calls a charge canceled that Stripe refused to cancel: it waits for the PaymentIntent to finish', async () => {
    let cancelAsked = false;
    let retrievesAfterRefusal = 0;
    const { activities, calls, published } = mockActivities(waiting, {
      cancelPaymentIntent: async () => {
        cancelAsked = true;
        calls.push('cancel');
        throw ApplicationFailure.create({
          type: PROVIDER_INVALID_REQUEST,
          message: 'You cannot cancel this PaymentIntent because it has a status of processing.',
          nonRetryable: true,
          details: [
            {
              failure: { code: 'payment_intent_unexpected_state', message: 'processing' },
              payment_intent_id: 'pi_wf',
            },
          ],
        });
      },
      retrievePaymentIntent: async ({ payment_intent_id: id }) => {
        calls.push('retrieve');
        if (!cancelAsked) return { id, status: 'requires_payment_method', failure: null };
        retrievesAfterRefusal += 1;
        return { id, status: retrievesAfterRefusal < 3 ? 'processing' : 'succeeded', failure: null };
      },
    });
    const record = await run(activities, undefined, {
      ...DEFAULT_CHARGE_TIMING,
      reconcile_deadline_seconds: 2 * 3600,
    });
    assert.equal(record.status, 'succeeded', 'Stripe charged it: the charge says so');
    assert.equal(calls.filter((c) => c === 'cancel').length, 1, 'a refused cancel is not asked again');
    assert.ok(retrievesAfterRefusal >= 3, 'reconciled on until the PaymentIntent was final');
    assert.deepEqual(
      published.map((e) => e.status),
      ['succeeded'],
    );
  });

  it('looks the PaymentIntent up, and adopts it, before creating with a new key after the retry window', async () => {
    let lookups = 0;
    const { activities, calls } = mockActivities(
      async () => {
        throw ApplicationFailure.create({ type: 'StripeTransientError', message: 'Stripe is down' });
      },
      {
        findPaymentIntentByEventId: async () => {
          lookups += 1;
          return { id: 'pi_found', status: 'succeeded', failure: null };
        },
      },
    );
    const record = await run(activities);
    assert.equal(record.status, 'succeeded');
    assert.equal(record.payment_intent_id, 'pi_found');
    assert.equal(lookups, 1);
    assert.ok(calls.length > 100, `create was retried for the whole 23 h window (${calls.length} attempts)`);
    assert.ok(!calls.includes('create:g2'), 'no second key while a PaymentIntent exists');
  });

  it('cancels a pending charge on request: canceled at Stripe, payments.failed with reason canceled', async () => {
    const { activities, calls, published } = mockActivities(waiting);
    const record = await run(activities, async (request) => {
      const ports = createChargeWorkflows(env.client, 'unused');
      await waitFor(async () => {
        const state = await env.client.workflow
          .getHandle(chargeWorkflowId(request.event_id))
          .query(chargeStateQuery);
        return state.payment_intent_id !== null;
      });
      const outcome = await ports.cancel(request.event_id);
      assert.equal(outcome.kind === 'ok' && outcome.value.status, 'canceled');
    });
    assert.equal(record.status, 'canceled');
    assert.equal(record.failure?.code, 'canceled');
    assert.ok(calls.includes('cancel'));
    assert.deepEqual(
      published.map((p) => [p.status, p.failure?.code]),
      [['canceled', 'canceled']],
    );
  });

  it('refuses to cancel a succeeded charge, pointing to a refund', async () => {
    let releasePublish: () => void = () => undefined;
    const publishing = new Promise<void>((resolve) => (releasePublish = resolve));
    const { activities } = mockActivities(async () => ({ id: 'pi_wf', status: 'succeeded', failure: null }), {
      publishPaymentEvent: async () => {
        await publishing;
        return { topic: 'payments.completed', message_id: 'm' };
      },
    });
    const record = await run(activities, async (request) => {
      const ports = createChargeWorkflows(env.client, 'unused');
      await waitFor(async () => {
        const state = await env.client.workflow
          .getHandle(chargeWorkflowId(request.event_id))
          .query(chargeStateQuery);
        return state.status === 'succeeded';
      });
      const outcome = await ports.cancel(request.event_id);
      assert.equal(outcome.kind === 'rejected' && outcome.type, 'ChargeAlreadySucceeded');
      releasePublish();
    });
    assert.equal(record.status, 'succeeded');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
