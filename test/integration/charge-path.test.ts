/**
 * The charge path end to end on the real stack: Temporal dev server, Kafka broker and the Stripe
 * test-mode stand-in (in front of stripe-mock; its recorder shows what reached Stripe), with the
 * service's real gateway, webhook receiver and worker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { chargeWorkflowId, paymentIntentIdempotencyKey, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { readRecordsFor } from '../support/kafka-reader';
import { AUTH_HEADER, TEST_WEBHOOK_SECRET } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { waitUntil } from '../support/wait';

const TOPICS = ['payments.completed', 'payments.failed'];

describe('charge path against the real stack', { timeout: 180_000 }, () => {
  const running = standinServiceForSuite();

  /** The PaymentIntent creates of this charge that reached Stripe (the stand-in's recorder). */
  const createsOf = async (eventId: string) =>
    (
      await running.standin.control.requests({
        method: 'POST',
        path: '/v1/payment_intents',
        event_id: eventId,
      })
    ).data.filter((r) => r.path === '/v1/payment_intents');

  function newCharge() {
    const id = randomUUID();
    return {
      event_id: `evt-it-${id}`,
      order_id: `order-it-${id}`,
      amount: 4250,
      currency: 'EUR',
      metadata: { shelf: 'b7' },
    };
  }

  const post = (body: object) =>
    fetch(`${running.service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify(body),
    });

  const getCharge = async (eventId: string): Promise<ChargeRecord> => {
    const res = await fetch(`${running.service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
    assert.equal(res.status, 200);
    return (await res.json()) as ChargeRecord;
  };

  const sendWebhook = (payload: string, signature: string) =>
    fetch(`${running.service.url}/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });

  async function waitForPaymentIntent(eventId: string): Promise<string> {
    return waitUntil(
      async () => (await getCharge(eventId)).payment_intent_id ?? undefined,
      `PaymentIntent of ${eventId}`,
    );
  }

  it('creates the PaymentIntent, completes on a signed webhook and publishes exactly one payments.completed record', async () => {
    const charge = newCharge();
    const res = await post(charge);
    assert.equal(res.status, 202);
    const accepted = (await res.json()) as Record<string, unknown>;
    assert.equal(accepted['workflow_id'], chargeWorkflowId(charge.event_id));
    assert.equal(res.headers.get('location'), `/charges/${charge.event_id}`);

    const paymentIntentId = await waitForPaymentIntent(charge.event_id);
    const creates = await createsOf(charge.event_id);
    assert.equal(creates.length, 1);
    assert.equal(creates[0]?.idempotency_key, paymentIntentIdempotencyKey(charge.event_id));
    assert.equal((await getCharge(charge.event_id)).status, 'pending');

    // The customer pays in the browser; Stripe's signed payment_intent.succeeded reaches the receiver.
    await running.standin.control.confirm(paymentIntentId, 'pm_card_visa');

    const final = await running.temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id))
      .result();
    assert.equal(final.status, 'succeeded');
    // Heard once: Stripe's one payment_intent.succeeded, delivered (answered 2xx) at the first try.
    const [succeeded, ...more] = await running.standin.control.events({
      type: 'payment_intent.succeeded',
      payment_intent: paymentIntentId,
    });
    assert.ok(succeeded);
    assert.equal(more.length, 0);
    assert.deepEqual(
      (await running.standin.control.webhookDeliveries({ event_id: succeeded.id })).map((d) => d.outcome),
      ['delivered'],
    );

    const records = await readRecordsFor(TOPICS, new Set([charge.event_id]));
    assert.equal(records.length, 1, `exactly one record, got ${records.length}`);
    const [record] = records;
    assert.equal(record?.topic, 'payments.completed');
    assert.equal(record?.key, charge.order_id);
    assert.equal(record?.headers['event_id'], charge.event_id);
    assert.equal(record?.headers['schema_version'], '1');
    assert.equal(record?.headers['message_id'], `charge:${charge.event_id}:succeeded`);
    assert.deepEqual(
      { ...record?.value, occurred_at: typeof record?.value['occurred_at'] },
      {
        event_id: charge.event_id,
        order_id: charge.order_id,
        payment_intent_id: paymentIntentId,
        amount: 4250,
        currency: 'eur',
        status: 'succeeded',
        occurred_at: 'string',
      },
    );
  });

  it('turns 20 concurrent identical POSTs into one workflow, one idempotency key and one Kafka record', async () => {
    const charge = newCharge();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(charge)));
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 202).length, 1, `one 202, got ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 200).length, 19);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<Record<string, unknown>>;
    assert.equal(new Set(bodies.map((b) => b['run_id'])).size, 1, 'every answer names the same run');

    const paymentIntentId = await waitForPaymentIntent(charge.event_id);
    const event = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      paymentIntentId,
    });
    assert.equal((await sendWebhook(event, signatureFor(event, TEST_WEBHOOK_SECRET))).status, 200);
    await running.temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).result();

    const runs = [];
    for await (const run of running.temporal.workflow.list({
      query: `WorkflowId = '${chargeWorkflowId(charge.event_id)}'`,
    }))
      runs.push(run);
    assert.equal(runs.length, 1, 'one workflow for the event id');
    const creates = await createsOf(charge.event_id);
    assert.ok(creates.length >= 1);
    assert.deepEqual(
      [...new Set(creates.map((c) => c.idempotency_key))],
      [paymentIntentIdempotencyKey(charge.event_id)],
    );
    assert.equal((await readRecordsFor(TOPICS, new Set([charge.event_id]))).length, 1);
  });

  it('answers a repeat after completion with 200 and the final status, and a changed payload with 409', async () => {
    const charge = newCharge();
    assert.equal((await post(charge)).status, 202);
    const paymentIntentId = await waitForPaymentIntent(charge.event_id);
    const event = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      paymentIntentId,
    });
    await sendWebhook(event, signatureFor(event, TEST_WEBHOOK_SECRET));
    await running.temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).result();

    const repeat = await post(charge);
    assert.equal(repeat.status, 200);
    const body = (await repeat.json()) as Record<string, unknown>;
    assert.equal(body['duplicate'], true);
    assert.equal(body['status'], 'succeeded');
    assert.equal((await post({ ...charge, amount: 4999 })).status, 409);
  });

  it('retries a Stripe 500 with the same idempotency key', async () => {
    const charge = newCharge();
    await running.standin.control.injectFault({
      path: '/^\\/v1\\/payment_intents$/',
      method: 'POST',
      count: 1,
      status: 500,
    });
    assert.equal((await post(charge)).status, 202);
    await waitForPaymentIntent(charge.event_id);
    const creates = await createsOf(charge.event_id);
    assert.deepEqual(
      creates.map((c) => c.status),
      [500, 200],
    );
    assert.equal(new Set(creates.map((c) => c.idempotency_key)).size, 1);
  });

  it('rejects a tampered or stale webhook with 400 and leaves the charge pending', async () => {
    const charge = newCharge();
    assert.equal((await post(charge)).status, 202);
    const paymentIntentId = await waitForPaymentIntent(charge.event_id);
    const event = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      paymentIntentId,
    });

    const tampered = await sendWebhook(
      event.replace('"livemode":false', '"livemode":true '),
      signatureFor(event, TEST_WEBHOOK_SECRET),
    );
    assert.equal(tampered.status, 400);
    const stale = await sendWebhook(
      event,
      signatureFor(event, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600),
    );
    assert.equal(stale.status, 400);
    assert.equal((await getCharge(charge.event_id)).status, 'pending');
  });
});
