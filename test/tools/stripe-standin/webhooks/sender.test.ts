/**
 * Webhook deliveries as Stripe makes them: Stripe's envelope, signed with the endpoint's secret,
 * after the change; retried with backoff when the endpoint fails; and, when told, duplicated,
 * lost or out of order.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../../../src/stripe/client';
import { STANDIN_API_VERSION } from '../../../../tools/stripe-standin/server';
import { DEFAULT_SETTINGS } from '../../../../tools/stripe-standin/settings';
import {
  startTestStandin,
  startWebhookSink,
  type TestStandin,
  type WebhookSink,
} from '../../../support/stripe-standin';
import { waitUntil } from '../../../support/wait';

const SECRET = 'whsec_standin_webhook_suite';
const sdk = new Stripe('sk_test_webhookcheck');

describe('stripe-standin: webhook deliveries', { timeout: 60_000 }, () => {
  let standin: TestStandin;
  let sink: WebhookSink;
  let endpointId: string;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null });
  });
  after(() => standin.close());
  beforeEach(async () => {
    sink = await startWebhookSink();
    endpointId = (await standin.control.registerWebhookEndpoint({ url: sink.url, secret: SECRET })).id;
    await standin.control.configure({ webhooks: { ...DEFAULT_SETTINGS.webhooks, retry_base_ms: 50 } });
  });
  afterEach(async () => {
    await standin.control.deleteWebhookEndpoint(endpointId);
    await sink.close();
  });

  const pay = (eventId: string, key?: string) =>
    standin.stripe.paymentIntents.create(
      {
        amount: 1999,
        currency: 'usd',
        metadata: { event_id: eventId },
        payment_method: 'pm_card_visa',
        confirm: true,
        off_session: true,
      },
      key ? { idempotencyKey: key } : {},
    );
  const typesFor = (piId: string) =>
    sink.received
      .filter((w) => w.event.data.object['id'] === piId || w.event.data.object['payment_intent'] === piId)
      .map((w) => w.event.type);

  it('signs each event with the endpoint’s secret in Stripe’s envelope, after the change', async () => {
    const key = `key-${randomUUID()}`;
    const pi = await pay(`evt-wh-${randomUUID()}`, key);
    await waitUntil(
      async () => typesFor(pi.id).includes('payment_intent.succeeded'),
      'payment_intent.succeeded',
    );
    const delivered = sink.received.find(
      (w) => w.event.type === 'payment_intent.succeeded' && w.event.data.object['id'] === pi.id,
    );
    assert.ok(delivered);
    const event = sdk.webhooks.constructEvent(delivered.body, delivered.signature ?? '', SECRET);
    const object = event.data.object as Stripe.PaymentIntent;
    assert.match(event.id, /^evt_/);
    assert.deepEqual(
      [
        event.object,
        event.livemode,
        event.api_version,
        object.status,
        object.amount,
        event.request?.idempotency_key,
      ],
      ['event', false, STRIPE_API_VERSION, 'succeeded', 1999, key],
    );
    assert.deepEqual(typesFor(pi.id).sort(), [
      'charge.succeeded',
      'payment_intent.created',
      'payment_intent.succeeded',
    ]);
  });

  it('stamps events with the API version the service pins', () => {
    assert.equal(STANDIN_API_VERSION, STRIPE_API_VERSION);
  });

  it('delivers again after the endpoint answers 500, with a pause', async () => {
    sink.answerWith((webhook) =>
      webhook.event.type === 'payment_intent.succeeded' &&
      sink.received.filter((w) => w.event.id === webhook.event.id).length === 1
        ? 500
        : 200,
    );
    const pi = await pay(`evt-retry-${randomUUID()}`);
    await waitUntil(
      async () => typesFor(pi.id).filter((t) => t === 'payment_intent.succeeded').length === 2,
      'the redelivery',
    );
    const [event] = await standin.control.events({ type: 'payment_intent.succeeded', object_id: pi.id });
    const attempts = await standin.control.webhookDeliveries({ event_id: event?.id ?? '' });
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status, a.outcome]),
      [
        [1, 500, 'failed'],
        [2, 200, 'delivered'],
      ],
    );
  });

  it('gives up after the last attempt', async () => {
    await standin.control.configure({ webhooks: { max_attempts: 2 } });
    sink.answerWith(() => 503);
    const pi = await pay(`evt-giveup-${randomUUID()}`);
    const [event] = await standin.control.events({ type: 'payment_intent.succeeded', object_id: pi.id });
    const attempts = await waitUntil(async () => {
      const found = await standin.control.webhookDeliveries({ event_id: event?.id ?? '' });
      return found.length === 2 ? found : undefined;
    }, 'two attempts');
    assert.deepEqual(
      attempts.map((a) => a.outcome),
      ['failed', 'gave_up'],
    );
  });

  it('delivers each event twice when told to (duplicate: 1)', async () => {
    await standin.control.configure({ webhooks: { duplicate: 1 } });
    const pi = await pay(`evt-dup-${randomUUID()}`);
    await waitUntil(async () => typesFor(pi.id).length === 6, 'six deliveries');
    const ids = sink.received.filter((w) => w.event.data.object['id'] === pi.id).map((w) => w.event.id);
    assert.equal(new Set(ids).size, 2, 'the same two PaymentIntent events, each twice');
  });

  it('loses every event when told to (drop: 1), and says so in the delivery log', async () => {
    await standin.control.configure({ webhooks: { drop: 1 } });
    const pi = await pay(`evt-drop-${randomUUID()}`);
    const [event] = await standin.control.events({ type: 'payment_intent.succeeded', object_id: pi.id });
    const attempts = await standin.control.webhookDeliveries({ event_id: event?.id ?? '' });
    assert.deepEqual(
      attempts.map((a) => a.outcome),
      ['dropped'],
    );
    assert.deepEqual(typesFor(pi.id), []);
  });

  it('sends a window’s events newest first when told to (out_of_order)', async () => {
    await standin.control.configure({ webhooks: { out_of_order: true, reorder_window_ms: 200 } });
    const pi = await pay(`evt-order-${randomUUID()}`);
    await waitUntil(async () => typesFor(pi.id).length === 3, 'three deliveries');
    assert.deepEqual(typesFor(pi.id), [
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
    ]);
  });

  it('resends an event on demand, and sends an endpoint only the types it enabled', async () => {
    const narrow = await startWebhookSink();
    const narrowId = (
      await standin.control.registerWebhookEndpoint({
        url: narrow.url,
        secret: SECRET,
        enabled_events: ['payment_intent.succeeded'],
      })
    ).id;
    try {
      const pi = await pay(`evt-resend-${randomUUID()}`);
      await waitUntil(async () => narrow.received.length === 1, 'the one enabled event');
      const [event] = await standin.control.events({ type: 'payment_intent.succeeded', object_id: pi.id });
      await standin.control.resendEvent(event?.id ?? '', narrowId);
      await waitUntil(async () => narrow.received.length === 2, 'the resent event');
      assert.deepEqual(
        narrow.received.map((w) => w.event.id),
        [event?.id, event?.id],
      );
    } finally {
      await standin.control.deleteWebhookEndpoint(narrowId);
      await narrow.close();
    }
  });
});
