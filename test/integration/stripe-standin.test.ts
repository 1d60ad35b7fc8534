/**
 * The charge path against the Stripe test-mode stand-in (tools/stripe-standin, a test tool) on the
 * real stack: Stripe's state, test cards, webhooks and rules, where stripe-mock has one fixture and
 * sends nothing. Each case would fail against a stateless mock: a charge that finishes by its own
 * webhook, reconciliation that reads the real status, a charge left waiting that stays pending,
 * 3-D Secure finished by the customer, refunds held to Stripe's remainder, a reused idempotency key
 * refused, a webhook delivered again after the endpoint answered 500.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { paymentIntentIdempotencyKey } from '../../src/contracts/charge';
import { readRecordsFor } from '../support/kafka-reader';
import { standinServiceForSuite } from '../support/standin-suite';
import { stack } from '../support/stack';
import { STANDIN_TEST_KEY } from '../support/stripe-standin';
import { waitUntil } from '../support/wait';

describe('the charge path against the Stripe stand-in', { timeout: 240_000 }, () => {
  const suite = standinServiceForSuite({
    standin: { webhooks: { retry_base_ms: 300 } },
    // Reconciliation soon, so a lost webhook or a waiting customer is met within a test's patience.
    env: { CHARGE_RECONCILE_AFTER_SECONDS: '2', CHARGE_RECONCILE_MAX_INTERVAL_SECONDS: '2' },
  });
  const { post, charge, newCharge, statusIs } = suite;
  const paymentIntentOf = (eventId: string) =>
    waitUntil(
      async () => (await charge(eventId)).payment_intent_id ?? undefined,
      `the PaymentIntent of ${eventId}`,
    );
  const completedRecords = (eventId: string) =>
    waitUntil(async () => {
      const found = await readRecordsFor(['payments.completed'], new Set([eventId]));
      return found.length > 0 ? found : undefined;
    }, `payments.completed for ${eventId}`);

  it("is the local stack's Stripe: STRIPE_API_BASE answers as the stand-in", async () => {
    const health = (await (await fetch(`${stack.stripeStandinUrl}/_standin/health`)).json()) as {
      ok: boolean;
    };
    assert.equal(health.ok, true);
  });

  it("refuses a request Stripe would refuse for its shape with stripe-mock's answer, and keeps nothing under its key", async () => {
    const key = `key-${randomUUID()}`;
    const send = (amount: string) =>
      fetch(`${suite.standin.url}/v1/payment_intents`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${STANDIN_TEST_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': key,
        },
        body: new URLSearchParams({ amount, currency: 'usd' }).toString(),
      });
    const malformed = await send('lots');
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /amount/);
    assert.equal((await send('700')).status, 200, 'the key is free for the corrected request');
  });

  it('finishes a charge paid with pm_card_visa by itself: one PaymentIntent, its signed webhook delivered once, one record', async () => {
    const eventId = await newCharge({ payment_method: 'pm_card_visa' });
    await statusIs(eventId, 'succeeded');
    const intents = await suite.standin.control.paymentIntentsFor(eventId);
    assert.deepEqual(
      intents.map((pi) => [pi.status, pi.amount, pi.metadata['order_id']]),
      [['succeeded', 5000, `order-${eventId}`]],
    );
    const delivered = suite.relay.received.filter(
      (w) => w.event.type === 'payment_intent.succeeded' && w.event.data.object['id'] === intents[0]?.id,
    );
    assert.equal(delivered.length, 1);
    assert.equal((await completedRecords(eventId)).length, 1);
  });

  it('reconciles to the real status at Stripe when the webhooks of a browser payment are lost', async () => {
    const eventId = await newCharge();
    const pi = await paymentIntentOf(eventId);
    await suite.standin.control.configure({ webhooks: { drop: 1 } });
    try {
      // The customer pays in the browser; Stripe's word never reaches the suite.service.
      await suite.standin.control.confirm(pi, 'pm_card_visa');
      const done = await statusIs(eventId, 'succeeded');
      assert.equal(done.failure, null);
      const succeeded = await suite.standin.control.events({
        type: 'payment_intent.succeeded',
        object_id: pi,
      });
      const deliveries = await suite.standin.control.webhookDeliveries({ event_id: succeeded[0]?.id ?? '' });
      assert.deepEqual(
        deliveries.map((d) => d.outcome),
        ['dropped'],
        'the service never heard the webhook',
      );
      const reads = await suite.standin.control.requests({
        method: 'GET',
        path: `/v1/payment_intents/${pi}`,
      });
      assert.ok(
        reads.data.some((r) => r.status === 200),
        'it asked Stripe instead',
      );
      assert.equal((await completedRecords(eventId)).length, 1);
    } finally {
      await suite.standin.control.configure({ webhooks: { drop: 0 } });
    }
  });

  it('keeps a charge that waits for the customer pending through reconciliations (no fixture to fail it)', async () => {
    const eventId = await newCharge();
    const pi = await paymentIntentOf(eventId);
    await waitUntil(
      async () => {
        const reads = await suite.standin.control.requests({
          method: 'GET',
          path: `/v1/payment_intents/${pi}`,
        });
        return reads.data.length >= 2;
      },
      'two reconciliations',
      30_000,
    );
    const read = await charge(eventId);
    assert.deepEqual([read.status, read.failure], ['pending', null]);
  });

  it('finishes a charge whose customer completes 3-D Secure in the browser', async () => {
    const eventId = await newCharge();
    const pi = await paymentIntentOf(eventId);
    const confirmed = await suite.standin.control.confirm(pi, 'pm_card_authenticationRequired');
    assert.equal(confirmed.payment_intent.status, 'requires_action');
    const waiting = await statusIs(eventId, 'requires_action');
    assert.equal(waiting.next_action?.type, 'use_stripe_sdk', 'the browser is told to authenticate');
    await suite.standin.control.authenticate(pi, 'complete');
    await statusIs(eventId, 'succeeded');
    assert.equal((await completedRecords(eventId)).length, 1);
  });

  it("holds refunds to Stripe's remainder, which a refund outside the service (the Dashboard) has already spent", async () => {
    const eventId = await newCharge({ payment_method: 'pm_card_visa' });
    const pi = await paymentIntentOf(eventId);
    await statusIs(eventId, 'succeeded');
    await suite.standin.stripe.refunds.create({ payment_intent: pi, amount: 2000 });

    const tooMuch = await post(`/charges/${eventId}/refund`, {
      refund_id: `rf-${randomUUID()}`,
      amount: 4000,
    });
    const refused = tooMuch.json['refund'] as { status: string; failure: { message: string } | null };
    assert.equal(refused.status, 'failed');
    assert.match(refused.failure?.message ?? '', /greater than unrefunded amount on charge \(\$30\.00\)/);

    const rest = await post(`/charges/${eventId}/refund`, { refund_id: `rf-${randomUUID()}`, amount: 3000 });
    assert.equal((rest.json['refund'] as { status: string }).status, 'succeeded');
    const [report] = await suite.standin.control.paymentIntentsFor(eventId);
    assert.deepEqual(report?.refunds.map((r) => [r.amount, r.status]).sort(), [
      [2000, 'succeeded'],
      [3000, 'succeeded'],
    ]);
    assert.equal(report?.refunded_amount, 5000);
  });

  it('refuses to charge under an idempotency key already used with other parameters, and creates nothing', async () => {
    const eventId = `evt-standin-${randomUUID()}`;
    const earlier = await suite.standin.stripe.paymentIntents.create(
      { amount: 700, currency: 'usd', metadata: { event_id: eventId } },
      { idempotencyKey: paymentIntentIdempotencyKey(eventId) },
    );
    assert.equal(
      (
        await post('/charge', {
          event_id: eventId,
          order_id: `order-${eventId}`,
          amount: 5000,
          currency: 'usd',
        })
      ).status,
      202,
    );
    const failed = await statusIs(eventId, 'failed');
    // The service records the SDK's error class as the failure code.
    assert.equal(failed.failure?.code, 'StripeIdempotencyError');
    assert.match(failed.failure?.message ?? '', /same parameters they were first used with/);
    const refusals = await suite.standin.control.requests({
      idempotency_key: paymentIntentIdempotencyKey(eventId),
    });
    assert.deepEqual(
      refusals.data.map((r) => r.status),
      [200, 400],
    );
    assert.deepEqual(
      (await suite.standin.control.paymentIntentsFor(eventId)).map((pi) => [pi.id, pi.amount]),
      [[earlier.id, 700]],
    );
  });

  it('gets the webhook of a browser payment again after the receiver answered 500; the charge completes once', async () => {
    const refusedOnce = new Set<string>();
    suite.relay.refuseWhen((webhook) => {
      if (webhook.event.type !== 'payment_intent.succeeded' || refusedOnce.has(webhook.event.id))
        return undefined;
      refusedOnce.add(webhook.event.id);
      return 500;
    });
    try {
      const eventId = await newCharge();
      const pi = await paymentIntentOf(eventId);
      await suite.standin.control.confirm(pi, 'pm_card_visa');
      const [event] = await waitUntil(async () => {
        const found = await suite.standin.control.events({ type: 'payment_intent.succeeded', object_id: pi });
        return found.length > 0 ? found : undefined;
      }, 'payment_intent.succeeded');
      const attempts = await waitUntil(async () => {
        const found = await suite.standin.control.webhookDeliveries({ event_id: event?.id ?? '' });
        return found.some((a) => a.outcome === 'delivered') ? found : undefined;
      }, 'the redelivery');
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.status, a.outcome]),
        [
          [1, 500, 'failed'],
          [2, 200, 'delivered'],
        ],
      );
      await statusIs(eventId, 'succeeded');
      assert.equal((await completedRecords(eventId)).length, 1);
    } finally {
      suite.relay.refuseWhen(() => undefined);
    }
  });
});
