/**
 * ChargeWorkflow applies Stripe's words one at a time, in the order they belong together: the
 * PaymentIntent (the create's answer), then each webhook. Its commands are therefore the same
 * whether the webhooks reach it before the create answers (held until the PaymentIntent is known,
 * then applied with the answer in one activation, as a replay or a fresh worker gets them) or after
 * it (in an activation of their own): one ChargeStatus upsert per status change, in both. A live
 * task that split them otherwise recorded an upsert its replay did not make (docs/defects/README.md).
 * Time-skipping test server, typed mocked activities.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId, type ChargeRequest } from '../../src/contracts/charge';
import type { PaymentEventPayload, PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import { CHARGE_EACH_STRIPE_WORD_APART, type ChargeWorkflow } from '../../src/workflows/charge';
import {
  ChargeStatusSearchAttribute,
  chargeStateQuery,
  stripeEventSignal,
} from '../../src/workflows/messages';
import { waitUntil } from '../support/wait';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';

const PI = 'pi_words';

function chargeRequest(): ChargeRequest {
  const id = randomUUID();
  return { event_id: `evt-words-${id}`, order_id: `order-words-${id}`, amount: 2100, currency: 'usd' };
}

const processing: PaymentEventPayload = {
  stripe_event_id: 'evt_processing',
  type: 'payment_intent.processing',
  created: 10,
  payment_intent_id: PI,
  payment_intent_status: 'processing',
  failure: null,
};

/** What the customer's payment sends: processing, then succeeded (the first redelivered). */
const WEBHOOKS: readonly PaymentEventPayload[] = [
  processing,
  {
    stripe_event_id: 'evt_succeeded',
    type: 'payment_intent.succeeded',
    created: 11,
    payment_intent_id: PI,
    payment_intent_status: 'succeeded',
    failure: null,
  },
  processing,
];

function activities(create: () => Promise<PaymentIntentOutcome>): Partial<ChargeActivities> {
  return {
    createPaymentIntent: create,
    retrievePaymentIntent: async ({ payment_intent_id: id }) => ({ id, status: 'succeeded', failure: null }),
    publishPaymentEvent: async () => ({ topic: 'payments.completed', message_id: 'm' }),
  };
}

const browserPaymentIntent: PaymentIntentOutcome = {
  id: PI,
  status: 'requires_payment_method',
  failure: null,
  client_secret: `${PI}_secret_words`,
  next_action: null,
};

describe(
  "ChargeWorkflow: one status change per Stripe word, wherever an activation's boundary falls",
  { timeout: 120_000 },
  () => {
    let env: TestWorkflowEnvironment;
    before(async () => {
      env = await createTimeSkippingEnv();
    });
    after(() => env?.teardown());

    /** The ChargeStatus values the run upserted, in order, and the patch markers it recorded. */
    async function recorded(request: ChargeRequest): Promise<{ statuses: string[]; markers: string[] }> {
      const history = await env.client.workflow.getHandle(chargeWorkflowId(request.event_id)).fetchHistory();
      const events = history.events ?? [];
      const statuses = events
        .map((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)
        .map((fields) => fields?.[ChargeStatusSearchAttribute.name])
        .filter((p): p is NonNullable<typeof p> => p !== undefined && p !== null)
        .map((p) => defaultPayloadConverter.fromPayload<string>(p));
      const markers = events
        .map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0])
        .filter((p): p is NonNullable<typeof p> => p !== undefined && p !== null)
        .map((p) => defaultPayloadConverter.fromPayload<{ id: string }>(p).id);
      return { statuses, markers };
    }

    async function charge(
      create: () => Promise<PaymentIntentOutcome>,
      drive: (handle: ReturnType<typeof handleOf>) => Promise<void>,
    ): Promise<{ statuses: string[]; markers: string[] }> {
      const request = chargeRequest();
      const taskQueue = uniqueTaskQueue('charge-words');
      const worker = await createTestWorker(env, taskQueue, activities(create));
      await worker.runUntil(async () => {
        await createChargeWorkflows(env.client, taskQueue).start({ request, payload_hash: 'h' });
        const handle = handleOf(request);
        await drive(handle);
        assert.equal((await handle.result()).status, 'succeeded');
      });
      return recorded(request);
    }

    const handleOf = (request: ChargeRequest) =>
      env.client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));

    it('webhooks before the answer and webhooks after it record the same upserts: pending, processing, succeeded', async () => {
      // Before: the webhooks are held until the create answers, then applied with its answer.
      let answer: () => void = () => undefined;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      const before = await charge(
        async () => {
          await answered;
          return browserPaymentIntent;
        },
        async (handle) => {
          for (const webhook of WEBHOOKS) await handle.signal(stripeEventSignal, webhook);
          answer();
        },
      );
      // After: the answer first, in an activation of its own; then the webhooks.
      const afterAnswer = await charge(
        async () => browserPaymentIntent,
        async (handle) => {
          await waitUntil(
            async () => ((await handle.query(chargeStateQuery)).status === 'pending' ? true : undefined),
            'the charge pending on its PaymentIntent',
          );
          for (const webhook of WEBHOOKS) await handle.signal(stripeEventSignal, webhook);
        },
      );
      assert.deepEqual(before.statuses, ['pending', 'processing', 'succeeded']);
      assert.deepEqual(afterAnswer.statuses, before.statuses);
      assert.ok(before.markers.includes(CHARGE_EACH_STRIPE_WORD_APART));
    });
  },
);
