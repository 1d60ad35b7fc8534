/**
 * ChargeWorkflow with manual capture, on the time-skipping test server with typed mocked activities:
 * authorize → payments.authorized once → partial capture (one capture at Stripe however often asked)
 * → payments.completed with the amount captured; void by the caller; the hold's expiry handled by the
 * workflow (and Stripe's expiry arriving first); the refusals of the capture update.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeActivities } from '../../src/activities';
import { createChargeWorkflows, type ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import {
  AUTHORIZATION_EXPIRED_CODE,
  CAPTURE_EXCEEDS_CAPTURABLE,
  CAPTURE_REFUSED,
  CHARGE_NOT_AUTHORIZED,
  DEFAULT_CAPTURE_POLICY,
  captureIdempotencyKey,
  chargeWorkflowId,
  type CapturePolicy,
  type ChargeRecord,
  type ChargeRequest,
} from '../../src/contracts/charge';
import type { PaymentAuthorizedV1, PaymentEventV1 } from '../../src/contracts/payment-event';
import {
  PROVIDER_INVALID_REQUEST,
  type PaymentEventPayload,
  type PaymentIntentOutcome,
} from '../../src/contracts/payment-provider';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import {
  AuthorizationExpiresAtSearchAttribute,
  ChargeStatusSearchAttribute,
  chargeStateQuery,
  stripeEventSignal,
} from '../../src/workflows/messages';
import { waitUntil } from '../support/wait';
import { createTestWorker, createTimeSkippingEnv, uniqueTaskQueue } from '../support/workflow-env';

const AMOUNT = 4500;

function manualRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  const id = randomUUID();
  return {
    event_id: `evt-${id}`,
    order_id: `order-${id}`,
    amount: AMOUNT,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    capture: 'manual',
    ...overrides,
  };
}

const held = (
  status = 'requires_capture',
  extra: Partial<PaymentIntentOutcome> = {},
): PaymentIntentOutcome => ({
  id: 'pi_hold',
  status,
  failure: null,
  amount: AMOUNT,
  currency: 'usd',
  amount_capturable: status === 'requires_capture' ? AMOUNT : 0,
  ...extra,
});

/** Typed mocks: Stripe holds the card on create; what the workflow asked for is recorded. */
function mockActivities(overrides: Partial<ChargeActivities> = {}) {
  const published: PaymentEventV1[] = [];
  const authorized: PaymentAuthorizedV1[] = [];
  const captures: Array<{ amount: number; key: string }> = [];
  const calls: string[] = [];
  const activities: Partial<ChargeActivities> = {
    createPaymentIntent: async (request) => {
      calls.push(`create:${request.capture ?? 'automatic'}`);
      return held();
    },
    retrievePaymentIntent: async () => {
      calls.push('retrieve');
      return held();
    },
    cancelPaymentIntent: async (input) => {
      calls.push(`cancel:${input.reason}`);
      return held('canceled');
    },
    capturePaymentIntent: async (input) => {
      calls.push('capture');
      captures.push({ amount: input.amount_to_capture, key: captureIdempotencyKey(input.event_id) });
      return held('succeeded', { amount_received: input.amount_to_capture });
    },
    publishAuthorizedEvent: async (event) => {
      authorized.push(event);
      return { topic: 'payments.authorized', message_id: `charge:${event.event_id}:authorized` };
    },
    publishPaymentEvent: async (event) => {
      published.push(event);
      return {
        topic: event.status === 'succeeded' ? 'payments.completed' : 'payments.failed',
        message_id: 'm',
      };
    },
    ...overrides,
  };
  return { activities, published, authorized, captures, calls };
}

describe('ChargeWorkflow: manual capture', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  /** Starts a manual-capture charge, waits until it is authorized, runs `drive`, returns the final record. */
  async function run(
    activities: Partial<ChargeActivities>,
    drive: (charges: ChargeWorkflows, request: ChargeRequest) => Promise<void>,
    options: { policy?: CapturePolicy; request?: Partial<ChargeRequest> } = {},
  ): Promise<ChargeRecord> {
    const taskQueue = uniqueTaskQueue('charge-capture');
    const worker = await createTestWorker(env, taskQueue, activities);
    const request = manualRequest(options.request);
    const charges = createChargeWorkflows(env.client, taskQueue, { callDeadlineMs: 60_000 });
    return worker.runUntil(async () => {
      const started = await charges.start({
        request,
        payload_hash: 'h',
        ...(request.capture === 'manual' ? { capture_policy: options.policy ?? DEFAULT_CAPTURE_POLICY } : {}),
      });
      assert.equal(started.kind, 'started');
      await drive(charges, request);
      return env.client.workflow
        .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id))
        .result();
    });
  }

  const authorizedState = (charges: ChargeWorkflows, eventId: string) =>
    waitUntil(async () => {
      const record = await charges.getState(eventId);
      return record?.status === 'authorized' ? record : undefined;
    }, 'the charge to be authorized');

  it('authorizes, announces it once, captures part of the hold once, and completes with the amount captured', async () => {
    const mock = mockActivities();
    let answers: ChargeRecord[] = [];
    const record = await run(mock.activities, async (charges, request) => {
      const authorized = await authorizedState(charges, request.event_id);
      assert.equal(authorized.capture?.amount_capturable, AMOUNT);
      assert.ok(authorized.capture?.authorization_expires_at, 'the hold shows when it expires');
      // The Web UI's search attribute: when the workflow acts on the hold (the expiry less the margin).
      const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
      const actsAt = await waitUntil(
        async () =>
          (await handle.describe()).typedSearchAttributes.get(AuthorizationExpiresAtSearchAttribute),
        'the AuthorizationExpiresAt search attribute',
      );
      assert.equal(
        (await handle.describe()).typedSearchAttributes.get(ChargeStatusSearchAttribute),
        'authorized',
      );
      assert.equal(
        actsAt.getTime(),
        Date.parse(authorized.capture.authorization_expires_at) -
          DEFAULT_CAPTURE_POLICY.expiry_margin_seconds * 1000,
      );
      // Two captures at once and a repeat: one capture at Stripe, the same answer for all.
      const outcomes = await Promise.all([
        charges.capture(request.event_id, { amount: 3000 }),
        charges.capture(request.event_id, { amount: 3000 }),
      ]);
      answers = outcomes.map((o) => {
        assert.equal(o.kind, 'ok');
        return (o as { value: ChargeRecord }).value;
      });
    });
    assert.deepEqual(mock.calls, ['create:manual', 'capture']);
    assert.deepEqual(mock.captures, [{ amount: 3000, key: captureIdempotencyKey(record.event_id) }]);
    for (const answer of answers) {
      assert.equal(answer.status, 'succeeded');
      assert.equal(answer.capture?.amount_captured, 3000);
    }
    assert.equal(record.status, 'succeeded');
    assert.equal(record.capture?.amount_captured, 3000);
    assert.equal(mock.authorized.length, 1);
    assert.equal(mock.authorized[0]?.amount_capturable, AMOUNT);
    assert.equal(mock.authorized[0]?.status, 'authorized');
    assert.equal(mock.published.length, 1);
    assert.equal(mock.published[0]?.status, 'succeeded');
    assert.equal(mock.published[0]?.amount, AMOUNT, 'the amount asked');
    assert.equal(mock.published[0]?.amount_captured, 3000, 'the amount captured');
  });

  it('refuses a capture above the capturable amount (422) and keeps the charge authorized', async () => {
    const mock = mockActivities();
    const record = await run(mock.activities, async (charges, request) => {
      await authorizedState(charges, request.event_id);
      const above = await charges.capture(request.event_id, { amount: AMOUNT + 1 });
      assert.equal(above.kind, 'rejected');
      assert.equal(above.kind === 'rejected' && above.type, CAPTURE_EXCEEDS_CAPTURABLE);
      assert.equal((await charges.getState(request.event_id))?.status, 'authorized');
      const all = await charges.capture(request.event_id, {});
      assert.equal(all.kind === 'ok' && all.value.capture?.amount_captured, AMOUNT);
    });
    assert.equal(record.capture?.amount_captured, AMOUNT);
    assert.deepEqual(
      mock.captures.map((c) => c.amount),
      [AMOUNT],
    );
  });

  it('answers capture_refused when Stripe refuses the capture and the hold is still there, and may capture again', async () => {
    let refusals = 1;
    const mock = mockActivities();
    const capturing = mock.activities.capturePaymentIntent!;
    mock.activities.capturePaymentIntent = async (input) => {
      if (refusals-- > 0) {
        mock.calls.push('capture:refused');
        throw ApplicationFailure.create({
          type: PROVIDER_INVALID_REQUEST,
          message: 'amount_to_capture is invalid',
          nonRetryable: true,
          details: [
            {
              failure: { code: 'parameter_invalid_integer', message: 'amount_to_capture is invalid' },
              payment_intent_id: 'pi_hold',
            },
          ],
        });
      }
      return capturing(input);
    };
    const record = await run(mock.activities, async (charges, request) => {
      await authorizedState(charges, request.event_id);
      const refused = await charges.capture(request.event_id, { amount: 1000 });
      assert.equal(refused.kind === 'rejected' && refused.type, CAPTURE_REFUSED);
      assert.match(refused.kind === 'rejected' ? refused.message : '', /amount_to_capture is invalid/);
      assert.equal((await charges.getState(request.event_id))?.status, 'authorized', 'Stripe still holds it');
      const again = await charges.capture(request.event_id, { amount: 1000 });
      assert.equal(again.kind === 'ok' && again.value.capture?.amount_captured, 1000);
    });
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(mock.calls, ['create:manual', 'capture:refused', 'retrieve', 'capture']);
  });

  it('voids the hold at Stripe on a caller cancel and announces the charge canceled', async () => {
    const mock = mockActivities();
    const record = await run(mock.activities, async (charges, request) => {
      await authorizedState(charges, request.event_id);
      const canceled = await charges.cancel(request.event_id);
      assert.equal(canceled.kind === 'ok' && canceled.value.status, 'canceled');
    });
    assert.equal(record.status, 'canceled');
    assert.deepEqual(mock.calls, ['create:manual', 'cancel:requested_by_customer']);
    assert.deepEqual(
      mock.published.map((p) => [p.status, p.amount_captured]),
      [['canceled', undefined]],
    );
  });

  it('voids a hold never captured a margin before it expires, and announces it canceled', async () => {
    const mock = mockActivities();
    const policy: CapturePolicy = {
      hold_default_seconds: 7 * 86_400,
      expiry_margin_seconds: 86_400,
      on_expiry: 'void',
    };
    let expiresAt = '';
    const record = await run(
      mock.activities,
      async (charges, request) => {
        expiresAt =
          (await authorizedState(charges, request.event_id)).capture?.authorization_expires_at ?? '';
      },
      { policy },
    );
    assert.equal(record.status, 'canceled');
    assert.equal(record.failure?.code, AUTHORIZATION_EXPIRED_CODE);
    assert.ok(record.failure?.message.includes(expiresAt), record.failure?.message);
    assert.equal(mock.calls.at(-1), 'cancel:abandoned', 'voided at Stripe before the announcement');
    assert.deepEqual(
      mock.published.map((p) => [p.status, p.failure?.code]),
      [['canceled', AUTHORIZATION_EXPIRED_CODE]],
    );
    assert.equal(mock.captures.length, 0);
  });

  it('captures the whole hold before expiry when the operator configures it', async () => {
    const mock = mockActivities();
    const policy: CapturePolicy = {
      hold_default_seconds: 7 * 86_400,
      expiry_margin_seconds: 86_400,
      on_expiry: 'capture',
    };
    const record = await run(
      mock.activities,
      (charges, request) => authorizedState(charges, request.event_id).then(() => undefined),
      {
        policy,
      },
    );
    assert.equal(record.status, 'succeeded');
    assert.deepEqual(
      mock.captures.map((c) => c.amount),
      [AMOUNT],
    );
    assert.equal(mock.published[0]?.amount_captured, AMOUNT);
  });

  it("ends canceled, the hold expired, when Stripe's payment_intent.canceled comes first", async () => {
    const mock = mockActivities();
    const record = await run(mock.activities, async (charges, request) => {
      await authorizedState(charges, request.event_id);
      const event: PaymentEventPayload = {
        stripe_event_id: `evt_${randomUUID()}`,
        type: 'payment_intent.canceled',
        created: Math.floor(Date.now() / 1000),
        payment_intent_id: 'pi_hold',
        payment_intent_status: 'canceled',
        failure: null,
        amount: AMOUNT,
        currency: 'usd',
      };
      await env.client.workflow
        .getHandle(chargeWorkflowId(request.event_id))
        .signal(stripeEventSignal, event);
    });
    assert.equal(record.status, 'canceled');
    assert.equal(record.failure?.code, AUTHORIZATION_EXPIRED_CODE);
    assert.ok(!mock.calls.some((c) => c.startsWith('cancel')), 'nothing left to void');
    assert.equal(mock.published[0]?.failure?.code, AUTHORIZATION_EXPIRED_CODE);
  });

  it('refuses to capture an automatic charge (409 charge_not_authorized)', async () => {
    const mock = mockActivities({
      createPaymentIntent: async () => ({ id: 'pi_auto', status: 'requires_payment_method', failure: null }),
      retrievePaymentIntent: async () => ({
        id: 'pi_auto',
        status: 'requires_payment_method',
        failure: null,
      }),
    });
    const { capture: _manual, ...automatic } = manualRequest();
    await run(
      mock.activities,
      async (charges, request) => {
        const handle = env.client.workflow.getHandle(chargeWorkflowId(request.event_id));
        await waitUntil(
          async () => (await handle.query(chargeStateQuery)).payment_intent_id !== null,
          'the PaymentIntent',
        );
        const refused = await charges.capture(request.event_id, {});
        assert.equal(refused.kind === 'rejected' && refused.type, CHARGE_NOT_AUTHORIZED);
        assert.equal(
          'capture' in (await handle.query(chargeStateQuery)),
          false,
          'no capture on an automatic record',
        );
        await charges.cancel(request.event_id);
      },
      { request: { ...automatic, capture: undefined } },
    );
    assert.ok(!mock.calls.includes('capture'));
    assert.equal(mock.authorized.length, 0);
  });
});
