import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { buildTestApp, TEST_API_TOKEN, TEST_WEBHOOK_SECRETS, type TestApp } from '../support/test-app';

const [CURRENT, PREVIOUS] = TEST_WEBHOOK_SECRETS;

describe('POST /stripe/webhook', () => {
  let t: TestApp;
  let eventId: string;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  async function startCharge(): Promise<string> {
    const id = `evt-${randomUUID()}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/charge',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      payload: { event_id: id, order_id: `order-${id}`, amount: 500, currency: 'eur' },
    });
    assert.equal(res.statusCode, 202);
    return id;
  }

  const deliver = (body: string, signature: string | undefined, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url: '/stripe/webhook',
      payload: body,
      headers: {
        'content-type': contentType,
        ...(signature !== undefined ? { 'stripe-signature': signature } : {}),
      },
    });

  it('signals the charge named by metadata.event_id when the signature is valid', async () => {
    eventId = await startCharge();
    const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId, paymentIntentId: 'pi_123' });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true });
    const signal = t.charges.signals.at(-1);
    assert.equal(signal?.eventId, eventId);
    assert.equal(signal?.payload.type, 'payment_intent.succeeded');
    assert.equal(signal?.payload.payment_intent_id, 'pi_123');
  });

  it('acknowledges but never applies a live-mode event at this test-mode receiver, and counts it', async () => {
    const eventId = await startCharge();
    const signalsBefore = t.charges.signals.length;
    const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId, livemode: true });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true, ignored: 'livemode_mismatch' });
    assert.equal(t.charges.signals.length, signalsBefore);
    const metrics = await t.metrics.registry.getSingleMetricAsString('payments_webhook_events_total');
    assert.match(metrics, /result="ignored",reason="livemode_mismatch"[^}]*\} 1/);
  });

  it("passes the PaymentIntent's amount and currency on to the charge, to be checked there", async () => {
    const eventId = await startCharge();
    const body = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId,
      amount: 1999,
      currency: 'usd',
    });
    assert.equal((await deliver(body, signatureFor(body, CURRENT ?? ''))).statusCode, 200);
    const signal = t.charges.signals.at(-1);
    assert.equal(signal?.payload.amount, 1999);
    assert.equal(signal?.payload.currency, 'usd');
  });

  it('accepts an event signed with a rotated (previous) secret', async () => {
    const id = await startCharge();
    const body = paymentIntentEvent({ type: 'payment_intent.processing', eventId: id });
    const res = await deliver(body, signatureFor(body, PREVIOUS ?? ''));
    assert.equal(res.statusCode, 200);
    assert.equal(t.charges.signals.at(-1)?.eventId, id);
  });

  const rejected: Array<[string, () => [string, string | undefined]]> = [
    [
      'a signature made with another secret',
      () => {
        const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
        return [body, signatureFor(body, 'whsec_attacker')];
      },
    ],
    [
      'a tampered body byte',
      () => {
        const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
        return [body.replace('"livemode":false', '"livemode":true '), signatureFor(body, CURRENT ?? '')];
      },
    ],
    [
      'a stale timestamp (over 300 s)',
      () => {
        const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
        return [body, signatureFor(body, CURRENT ?? '', Math.floor(Date.now() / 1000) - 301)];
      },
    ],
    [
      'a timestamp from the future (beyond the tolerance)',
      () => {
        const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
        return [body, signatureFor(body, CURRENT ?? '', Math.floor(Date.now() / 1000) + 301)];
      },
    ],
    [
      'a second, future timestamp slipped in before the signature',
      () => {
        const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
        const now = Math.floor(Date.now() / 1000);
        const signed = signatureFor(body, CURRENT ?? '', now + 600);
        return [body, `t=${now},${signed}`];
      },
    ],
    [
      'a missing Stripe-Signature header',
      () => [paymentIntentEvent({ type: 'payment_intent.succeeded', eventId }), undefined],
    ],
    [
      'a garbled header',
      () => [paymentIntentEvent({ type: 'payment_intent.succeeded', eventId }), 'garbage'],
    ],
  ];
  for (const [what, make] of rejected) {
    it(`rejects ${what} with 400 and signals nothing`, async () => {
      const before = t.charges.signals.length;
      const [body, signature] = make();
      const res = await deliver(body, signature);
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_signature',
        message: 'webhook signature verification failed',
        errors: [],
      });
      assert.equal(t.charges.signals.length, before);
    });
  }

  it('answers 200 with a reason for a verified event that is not ours', async () => {
    const body = paymentIntentEvent({ type: 'payment_intent.succeeded' });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true, ignored: 'not_ours' });
  });

  it('answers 200 with a reason for a charge that no longer runs and whose announcement agrees', async () => {
    const id = await startCharge();
    t.charges.finished.add(id);
    t.charges.lateAnswer = 'agrees';
    try {
      const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId: id });
      const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { received: true, ignored: 'charge_not_running' });
    } finally {
      t.charges.lateAnswer = 'started';
    }
  });

  it('hands money taken after a charge closed to the late-outcome handling, with the configured policy, before its 200', async () => {
    const id = await startCharge();
    t.charges.finished.add(id);
    const body = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: id,
      paymentIntentId: 'pi_late',
    });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true });
    const late = t.charges.lateEvents.at(-1);
    assert.equal(late?.eventId, id);
    assert.equal(late?.payload.payment_intent_id, 'pi_late');
    assert.equal(late?.policy, 'refund');
  });

  it('never hands a decline about a closed charge to the late-outcome handling (no money moved)', async () => {
    const id = await startCharge();
    t.charges.finished.add(id);
    const before = t.charges.lateEvents.length;
    const body = paymentIntentEvent({ type: 'payment_intent.payment_failed', eventId: id });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.equal(t.charges.lateEvents.length, before);
  });

  it('signals money taken to a running charge that decided it failed (the workflow hands it over) and answers 200', async () => {
    const id = await startCharge();
    t.charges.statuses.set(id, 'failed');
    const before = t.charges.lateEvents.length;
    const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId: id });
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 200);
    assert.equal(t.charges.signals.at(-1)?.eventId, id);
    assert.equal(t.charges.lateEvents.length, before, 'not also started from here');
  });

  it('answers 503 while Temporal is unreachable, so Stripe retries', async () => {
    const id = await startCharge();
    t.charges.unavailable = true;
    try {
      const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId: id });
      const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
      assert.equal(res.statusCode, 503);
      assert.ok(res.headers['retry-after']);
    } finally {
      t.charges.unavailable = false;
    }
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const body = 'x'.repeat(1024 * 1024 + 1);
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''));
    assert.equal(res.statusCode, 413);
  });

  it('verifies whatever the content type says, and rejects a signed non-JSON body', async () => {
    const body = 'not json at all';
    const res = await deliver(body, signatureFor(body, CURRENT ?? ''), 'text/plain');
    assert.equal(res.statusCode, 400);
  });
});
