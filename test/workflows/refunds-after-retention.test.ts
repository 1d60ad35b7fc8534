/**
 * RefundsWorkflow for a charge whose ChargeWorkflow the namespace's retention has removed: started
 * with the event_id alone, it asks Stripe for the PaymentIntent (by our metadata) and refunds what
 * Stripe says was taken, within the window counted from the payment; requests that arrive while
 * Stripe is asked are held and decided in turn, never spending the same remainder twice; a run that
 * finds nothing ends, and a later request still gets the right answer.
 */
import { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  createChargeWorkflows,
  TemporalUnavailableError,
  type ChargeWorkflows,
  type RefundOutcome,
} from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import type { PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import {
  CHARGE_NOT_FOUND,
  CHARGE_NOT_REFUNDABLE,
  DEFAULT_REFUND_WINDOW_SECONDS,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_WINDOW_CLOSED,
  refundsWorkflowId,
  type RefundEventV1,
  type RefundRequest,
} from '../../src/contracts/refund';
import { waitUntil } from '../support/wait';
import { startRefundsEnv, type RefundsEnv } from '../support/refunds-env';
import { uniqueTaskQueue } from '../support/workflow-env';

describe('RefundsWorkflow for a charge whose workflow is no longer retained', { timeout: 180_000 }, () => {
  let kit: RefundsEnv;
  let env: TestWorkflowEnvironment;
  let charges: ChargeWorkflows;
  /**
   * A plain client: the test environment's own skips time whenever it awaits a workflow's result
   * (the gateway port reads a closed run's result), which would jump past other tests' windows.
   */
  let client: Client;
  /** Stripe's PaymentIntents, by the event_id in their metadata. */
  const atStripe = new Map<string, PaymentIntentOutcome>();
  /** Event ids whose look-up fails as an unreachable Stripe does, until removed. */
  const unreachable = new Set<string>();
  /** Event ids whose look-up waits until the test releases it. */
  const lookupHeld = new Map<string, Promise<void>>();
  const lookups: string[] = [];
  const creates: Array<{
    event_id: string;
    order_id: string;
    refund_id: string;
    amount: number;
    pi: string;
  }> = [];
  const published: RefundEventV1[] = [];

  before(async () => {
    kit = await startRefundsEnv(
      'refunds-retention',
      {
        findPaymentIntentByEventId: async (input) => {
          lookups.push(input.event_id);
          await lookupHeld.get(input.event_id);
          if (unreachable.has(input.event_id)) {
            throw ApplicationFailure.create({
              type: 'StripeTransientError',
              message: 'Stripe is unreachable',
            });
          }
          return atStripe.get(input.event_id) ?? null;
        },
        createRefund: async (input) => {
          creates.push({
            event_id: input.event_id,
            order_id: input.order_id,
            refund_id: input.refund_id,
            amount: input.amount,
            pi: input.payment_intent_id,
          });
          return { stripe_refund_id: `re_${input.refund_id}`, status: 'succeeded', failure: null };
        },
        findRefund: async () => null,
        publishRefundEvent: async (event) => {
          published.push(event);
          return { topic: 'payments.refunded', message_id: event.refund_id };
        },
      },
      // The gateway's own call deadline (5 s): a request Stripe has not answered within it is `held`.
      (testEnv) => {
        client = new Client({ connection: testEnv.connection, namespace: testEnv.namespace ?? 'default' });
        return client;
      },
    );
    ({ env, charges } = kit);
    // The worker's first workflow task (its sandbox) can take seconds on a loaded machine: not a test.
    await charges
      .refund(
        { charge: null, event_id: `evt-warm-up-${randomUUID()}`, window_seconds: 60 },
        { refund_id: 'warm-up' },
      )
      .catch(() => undefined);
  });
  after(() => kit?.stop());

  /** A charge that succeeded at Stripe `ageSeconds` ago (on the test server's clock). */
  async function paidAtStripe(
    overrides: Partial<PaymentIntentOutcome> = {},
    ageSeconds = 3600,
  ): Promise<{ eventId: string; orderId: string; pi: string }> {
    const id = randomUUID();
    const eventId = `evt-gone-${id}`;
    const orderId = `order-gone-${id}`;
    const pi = `pi_gone_${id.slice(0, 8)}`;
    const now = Math.floor((await env.currentTimeMs()) / 1000);
    atStripe.set(eventId, {
      id: pi,
      status: 'succeeded',
      failure: null,
      amount: 10_000,
      currency: 'eur',
      created: now - ageSeconds,
      metadata: { event_id: eventId, order_id: orderId },
      ...overrides,
    });
    return { eventId, orderId, pi };
  }

  const refund = (eventId: string, request: RefundRequest, windowSeconds = DEFAULT_REFUND_WINDOW_SECONDS) =>
    charges.refund({ charge: null, event_id: eventId, window_seconds: windowSeconds }, request);
  const typeOf = (outcome: RefundOutcome) => (outcome.kind === 'rejected' ? outcome.type : outcome.kind);
  const sentToStripe = (eventId: string) => creates.filter((c) => c.event_id === eventId);

  it("refunds what Stripe says was taken, on Stripe's PaymentIntent and for the order its metadata names", async () => {
    const { eventId, orderId, pi } = await paidAtStripe();
    const refundId = `r-${randomUUID()}`;
    const outcome = await refund(eventId, { refund_id: refundId, amount: 2_500 });
    assert.equal(outcome.kind, 'ok', JSON.stringify(outcome));
    assert.equal(outcome.kind === 'ok' && outcome.value.refund.status, 'succeeded');
    assert.deepEqual(sentToStripe(eventId), [
      { event_id: eventId, order_id: orderId, refund_id: refundId, amount: 2_500, pi },
    ]);
    const again = await refund(eventId, { refund_id: refundId, amount: 2_500 });
    assert.equal(again.kind === 'ok' && again.value.duplicate, true, 'a repeat answers the same refund');
    assert.equal(sentToStripe(eventId).length, 1, 'one Stripe refund per refund_id');
    const rest = await refund(eventId, { refund_id: `rest-${randomUUID()}` });
    assert.equal(rest.kind === 'ok' && rest.value.refund.amount, 7_500, 'no amount: what is left');
    assert.equal(
      typeOf(await refund(eventId, { refund_id: `over-${randomUUID()}`, amount: 1 })),
      REFUND_EXCEEDS_REMAINDER,
    );
    assert.equal(lookups.filter((e) => e === eventId).length, 1, 'Stripe asked once, by the first step');
    await waitUntil(
      async () => published.some((e) => e.refund_id === refundId) || undefined,
      'the refund to be published',
      30_000,
    );
    const event = published.find((e) => e.refund_id === refundId);
    assert.deepEqual(
      event && {
        order_id: event.order_id,
        currency: event.currency,
        payment_intent_id: event.payment_intent_id,
      },
      { order_id: orderId, currency: 'eur', payment_intent_id: pi },
    );
  });

  it('refunds a manual-capture charge from what was captured, not from the hold', async () => {
    const { eventId } = await paidAtStripe({ amount: 10_000, amount_received: 6_000 });
    assert.equal(
      typeOf(await refund(eventId, { refund_id: `over-${randomUUID()}`, amount: 6_001 })),
      REFUND_EXCEEDS_REMAINDER,
    );
    const all = await refund(eventId, { refund_id: `all-${randomUUID()}` });
    assert.equal(all.kind === 'ok' && all.value.refund.amount, 6_000);
  });

  it('answers not found when Stripe has no such payment, ends, and a later request still gets the right answer', async () => {
    const eventId = `evt-never-${randomUUID()}`;
    assert.equal(typeOf(await refund(eventId, { refund_id: `x-${randomUUID()}` })), CHARGE_NOT_FOUND);
    const handle = client.workflow.getHandle(refundsWorkflowId(eventId));
    assert.deepEqual(await handle.result(), { charge_lookup: 'not_found' }, 'the run ended, saying why');
    assert.equal(
      typeOf(await refund(eventId, { refund_id: `y-${randomUUID()}` })),
      CHARGE_NOT_FOUND,
      'asked again',
    );
    assert.deepEqual(sentToStripe(eventId), []);

    // The event_id is charged later (its refunds id was taken by runs that held no refund).
    const now = Math.floor((await env.currentTimeMs()) / 1000);
    atStripe.set(eventId, {
      id: 'pi_later',
      status: 'succeeded',
      failure: null,
      amount: 800,
      currency: 'usd',
      created: now,
      metadata: { event_id: eventId, order_id: 'order-later' },
    });
    const paid = await refund(eventId, { refund_id: `z-${randomUUID()}` });
    assert.equal(paid.kind === 'ok' && paid.value.refund.amount, 800, JSON.stringify(paid));
  });

  it('starts again with a retained record after a run that found nothing (not refused as window closed)', async () => {
    const eventId = `evt-retained-later-${randomUUID()}`;
    assert.equal(typeOf(await refund(eventId, { refund_id: `x-${randomUUID()}` })), CHARGE_NOT_FOUND);
    const record: ChargeRecord = {
      event_id: eventId,
      order_id: 'order-retained',
      status: 'succeeded',
      amount: 1_000,
      currency: 'eur',
      payment_intent_id: 'pi_retained',
      failure: null,
      updated_at: new Date(await env.currentTimeMs()).toISOString(),
    };
    const outcome = await charges.refund(
      { charge: record, window_seconds: DEFAULT_REFUND_WINDOW_SECONDS },
      { refund_id: `r-${randomUUID()}` },
    );
    assert.equal(outcome.kind === 'ok' && outcome.value.refund.amount, 1_000, JSON.stringify(outcome));
  });

  it('refuses a charge that never succeeded at Stripe', async () => {
    const { eventId } = await paidAtStripe({ status: 'requires_payment_method' });
    assert.equal(typeOf(await refund(eventId, { refund_id: `x-${randomUUID()}` })), CHARGE_NOT_REFUNDABLE);
    assert.deepEqual(sentToStripe(eventId), []);
  });

  it("counts the window from the payment's creation at Stripe: closed, and closed again for a later request", async () => {
    const { eventId } = await paidAtStripe({}, 2 * 3600);
    assert.equal(
      typeOf(await refund(eventId, { refund_id: `x-${randomUUID()}` }, 3600)),
      REFUND_WINDOW_CLOSED,
    );
    await client.workflow.getHandle(refundsWorkflowId(eventId)).result();
    assert.equal(typeOf(await refund(eventId, { refund_id: `y-${randomUUID()}` }, 3600)), 'window_closed');
    assert.deepEqual(sentToStripe(eventId), []);
  });

  it('holds a request while Stripe is unreachable (202-worthy: durably accepted), and its repeat gets the one refund', async () => {
    const { eventId } = await paidAtStripe();
    unreachable.add(eventId);
    const refundId = `held-${randomUUID()}`;
    assert.equal((await refund(eventId, { refund_id: refundId, amount: 1_000 })).kind, 'held');
    assert.deepEqual(sentToStripe(eventId), [], 'nothing refunded before Stripe named the charge');
    unreachable.delete(eventId);
    await waitUntil(
      async () => sentToStripe(eventId).length > 0 || undefined,
      'the held refund to reach Stripe once Stripe answers',
      60_000,
    );
    const again = await refund(eventId, { refund_id: refundId, amount: 1_000 });
    assert.equal(again.kind === 'ok' && again.value.duplicate, true, JSON.stringify(again));
    assert.equal(again.kind === 'ok' && again.value.refund.status, 'succeeded');
    assert.deepEqual(
      sentToStripe(eventId).map((c) => c.amount),
      [1_000],
    );
  });

  it('is not held (the caller gets 503, never a 2xx) until the workflow has accepted it: no worker, no answer', async () => {
    const { eventId } = await paidAtStripe();
    const nobody = createChargeWorkflows(client, uniqueTaskQueue('no-worker'));
    await assert.rejects(
      nobody.refund(
        { charge: null, event_id: eventId, window_seconds: DEFAULT_REFUND_WINDOW_SECONDS },
        { refund_id: `n-${randomUUID()}` },
      ),
      TemporalUnavailableError,
    );
    // Started without a worker: the same id is this charge's, so end it before the next test.
    await client.workflow.getHandle(refundsWorkflowId(eventId)).terminate('test: no worker ever polled');
  });

  it('never spends the same remainder twice among requests held during the look-up: 8 x 3,000 of 10,000, three taken', async () => {
    const { eventId } = await paidAtStripe();
    let release: () => void = () => undefined;
    lookupHeld.set(eventId, new Promise<void>((resolve) => (release = resolve)));
    const requests = Array.from({ length: 8 }, (_, i) => ({
      refund_id: `c${i}-${randomUUID()}`,
      amount: 3_000,
    }));
    const first = await Promise.all(requests.map((r) => refund(eventId, r)));
    assert.deepEqual(
      first.map((o) => o.kind),
      Array(8).fill('held'),
    );
    release();
    await waitUntil(
      async () => sentToStripe(eventId).length >= 3 || undefined,
      'the held refunds to be decided',
      60_000,
    );
    // Each caller sends its request again for the answer.
    const answers = await Promise.all(requests.map((r) => refund(eventId, r)));
    assert.equal(answers.filter((o) => o.kind === 'ok').length, 3, JSON.stringify(answers));
    for (const refused of answers.filter((o) => o.kind !== 'ok')) {
      assert.equal(typeOf(refused), REFUND_EXCEEDS_REMAINDER);
    }
    assert.equal(
      sentToStripe(eventId).reduce((n, c) => n + c.amount, 0),
      9_000,
    );
    assert.equal(
      new Set(sentToStripe(eventId).map((c) => c.refund_id)).size,
      3,
      'each taken refund sent once',
    );
  });
});
