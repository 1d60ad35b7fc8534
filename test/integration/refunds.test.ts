/**
 * Refunds and cancellation on the real stack, against the Stripe test-mode stand-in (in front of
 * stripe-mock; it keeps the PaymentIntents and refunds and sends Stripe's webhooks): a succeeded
 * charge refunded once per refund_id, the money refunded at Stripe, its outcome published once on
 * payments.refunded, and a pending charge canceled at Stripe.
 * "Exactly one record" is counted once the workflow that publishes has nothing left in flight, on
 * every topic the outcome could go to, each read to its end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { cancelIdempotencyKey, chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import { refundIdempotencyKey, refundsWorkflowId } from '../../src/contracts/refund';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { readRecordsFor, type ReadRecord } from '../support/kafka-reader';
import { AUTH_HEADER } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

describe('refunds and cancellation against the real stack', { timeout: 180_000 }, () => {
  const running = standinServiceForSuite();
  /** The charge's PaymentIntent as Stripe keeps it, with its refunds. */
  const atStripe = async (eventId: string) => {
    const [pi, ...more] = await running.standin.control.paymentIntentsFor(eventId);
    assert.ok(pi && more.length === 0, `one PaymentIntent for ${eventId}`);
    return pi;
  };

  const post = async (path: string, body?: object) => {
    const res = await fetch(`${running.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const state = async (eventId: string) =>
    (await (
      await fetch(`${running.service.url}/charges/${eventId}`, { headers: AUTH_HEADER })
    ).json()) as ChargeRecord & {
      refunded_amount?: number;
    };

  /**
   * Nothing in flight: no activity scheduled or running, no workflow task pending. The refunds
   * workflow schedules a publish in the workflow task that made a refund final, so once it is idle
   * every record it owes for what it has been sent is on Kafka. (An open workflow cannot be shown
   * silent for ever: test/workflows/refunds.test.ts runs one past its window and counts there.)
   */
  const idle = async (workflowId: string): Promise<boolean> => {
    const { raw } = await running.temporal.workflow.getHandle(workflowId).describe();
    return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask;
  };

  /** The records of one refund on both refund topics, each read to its end once the refunds workflow is idle. */
  const refundRecords = (eventId: string, refundId: string): Promise<ReadRecord[]> =>
    waitUntil(async () => {
      if (!(await idle(refundsWorkflowId(eventId)))) return undefined;
      const found = await readRecordsFor(['payments.refunded', 'payments.refund_failed'], new Set([eventId]));
      const mine = found.filter((r) => r.headers['refund_id'] === refundId);
      return mine.length > 0 ? mine : undefined;
    }, `the refund ${refundId} published, and the refunds workflow idle`);

  async function succeededCharge(): Promise<{ event_id: string; order_id: string }> {
    const id = randomUUID();
    const charge = { event_id: `evt-rf-${id}`, order_id: `order-rf-${id}`, amount: 3000, currency: 'usd' };
    // Paid with a test card: the stand-in confirms it and sends payment_intent.succeeded.
    assert.equal((await post('/charge', { ...charge, payment_method: 'pm_card_visa' })).status, 202);
    await running.temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id))
      .result();
    return charge;
  }

  it('refunds a succeeded charge, takes the signed charge.refunded webhook, and publishes exactly one payments.refunded', async () => {
    const charge = await succeededCharge();
    const refundId = `rf-${randomUUID()}`;
    const created = await post(`/charges/${charge.event_id}/refund`, { refund_id: refundId, amount: 1200 });
    assert.equal(created.status, 201);
    const refund = created.json['refund'] as { stripe_refund_id: string };

    // Stripe's charge.refunded and refund.* webhooks come from the stand-in once the refund settles.

    const records = await refundRecords(charge.event_id, refundId);
    assert.deepEqual(
      records.map((r) => r.topic),
      ['payments.refunded'],
      'exactly one record, on payments.refunded',
    );
    assert.equal(records[0]?.key, charge.order_id);
    assert.equal(records[0]?.headers['refund_id'], refundId);
    assert.equal(records[0]?.headers['schema_version'], '1');
    assert.equal(records[0]?.value['amount'], 1200);
    assert.equal((await state(charge.event_id)).refunded_amount, 1200);
    const pi = await atStripe(charge.event_id);
    assert.deepEqual(
      [pi.refunded_amount, pi.refunds.map((r) => [r.id, r.amount, r.status])],
      [1200, [[refund.stripe_refund_id, 1200, 'succeeded']]],
      'Stripe refunded 1200 of the 3000, once',
    );
  });

  it('turns 10 concurrent identical refund requests into one Stripe refund key and one record', async () => {
    const charge = await succeededCharge();
    const refundId = `rf10-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(`/charges/${charge.event_id}/refund`, { refund_id: refundId })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const creates = (
      await running.standin.control.requests({ method: 'POST', path: '/v1/refunds' })
    ).data.filter((r) => r.params['metadata[refund_id]'] === refundId);
    assert.ok(creates.length >= 1);
    assert.deepEqual([...new Set(creates.map((c) => c.idempotency_key))], [refundIdempotencyKey(refundId)]);
    const records = await refundRecords(charge.event_id, refundId);
    assert.deepEqual(
      records.map((r) => r.topic),
      ['payments.refunded'],
      'exactly one record, on payments.refunded',
    );
    const pi = await atStripe(charge.event_id);
    assert.deepEqual(
      pi.refunds.map((r) => r.amount),
      [3000],
      'one refund at Stripe, of the whole charge',
    );
  });

  it('cancels a pending charge at Stripe and publishes payments.failed with reason canceled', async () => {
    const id = randomUUID();
    const charge = { event_id: `evt-cx-${id}`, order_id: `order-cx-${id}`, amount: 800, currency: 'usd' };
    assert.equal((await post('/charge', charge)).status, 202);
    const pi = await waitUntil(
      async () => (await state(charge.event_id)).payment_intent_id ?? undefined,
      'PI',
    );
    const canceled = await post(`/charges/${charge.event_id}/cancel`);
    assert.equal(canceled.status, 200);
    assert.equal(canceled.json['status'], 'canceled');
    const again = await post(`/charges/${charge.event_id}/cancel`);
    assert.equal(again.status, 200, 'a repeated cancel answers the same');
    assert.equal(again.json['status'], 'canceled');

    const handle = running.temporal.workflow.getHandle<typeof ChargeWorkflow>(
      chargeWorkflowId(charge.event_id),
    );
    await waitUntil(
      async () => (await handle.describe()).status.name === 'COMPLETED',
      'the canceled charge to complete',
    );
    assert.equal((await handle.result()).status, 'canceled');
    const { data: cancels } = await running.standin.control.requests({
      idempotency_key: cancelIdempotencyKey(charge.event_id, 'requested_by_customer'),
    });
    assert.deepEqual(
      cancels.map((r) => `${r.method} ${r.path} ${r.status}`),
      [`POST /v1/payment_intents/${pi}/cancel 200`],
      "this charge's PaymentIntent canceled at Stripe, once",
    );
    assert.equal((await atStripe(charge.event_id)).status, 'canceled');
    // The workflow has closed, so it publishes nothing more: both outcome topics read to their end.
    const records = await readRecordsFor(
      ['payments.completed', 'payments.failed'],
      new Set([charge.event_id]),
    );
    assert.deepEqual(
      records.map((r) => r.topic),
      ['payments.failed'],
      'exactly one record, on payments.failed',
    );
    assert.equal(records[0]?.key, charge.order_id);
    assert.equal(records[0]?.value['payment_intent_id'], pi);
    assert.equal(records[0]?.value['status'], 'canceled');
    assert.equal((records[0]?.value['failure'] as { code: string }).code, 'canceled');
  });
});
