/**
 * Temporal unreachable: the gateway and the webhook receiver answer 503 with Retry-After within the
 * service's 5 s deadline on Temporal calls (nothing accepted that is not durable), /readyz names
 * temporal, and all recover by themselves: a retried charge is accepted, a redelivered webhook is
 * applied and its charge completes with exactly one record on Kafka.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { RETRY_AFTER_SECONDS } from '../../src/api/errors';
import { TEMPORAL_CALL_DEADLINE_MS } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { readRecordsFor } from '../support/kafka-reader';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { stack, startStackParts, stopStackParts } from '../support/stack';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

/**
 * The README promises a 503 within 5 s: the service gives every Temporal call
 * TEMPORAL_CALL_DEADLINE_MS (5 s) and then answers. The extra 500 ms covers the HTTP round trip on
 * loopback and the error handler, on a loaded 2-core machine; it is not a second deadline.
 */
const PROMPT_503_MS = TEMPORAL_CALL_DEADLINE_MS + 500;

describe('a Temporal outage', { timeout: 240_000 }, () => {
  let service: TestService;
  let temporal: Client;
  before(async () => {
    service = await startTestService({ PAYMENTS_MODE: 'all' });
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
  });
  after(async () => {
    await temporal?.connection.close();
    await service?.stop();
  });

  const newCharge = () => {
    const id = randomUUID();
    return { event_id: `evt-outage-${id}`, order_id: `order-outage-${id}`, amount: 100, currency: 'usd' };
  };
  /** Sends a request and times it, from the call to the whole body read. */
  async function timed(request: Promise<Response>) {
    const sent = Date.now();
    const res = await request;
    const body = await res.text();
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body,
      tookMs: Date.now() - sent,
    };
  }
  const postCharge = (charge: object) =>
    timed(
      fetch(`${service.url}/charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADER },
        body: JSON.stringify(charge),
      }),
    );
  /** One delivery of a Stripe event, signed at delivery time as Stripe signs each attempt. */
  const deliverWebhook = (payload: string) =>
    timed(
      fetch(`${service.url}/stripe/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(payload, TEST_WEBHOOK_SECRET),
        },
        body: payload,
      }),
    );
  const state = async (eventId: string) =>
    (await (
      await fetch(`${service.url}/charges/${eventId}`, { headers: AUTH_HEADER })
    ).json()) as ChargeRecord;

  function assertPrompt503(answer: Awaited<ReturnType<typeof timed>>, what: string): void {
    const seen = `${what}: status ${answer.status} after ${answer.tookMs} ms: ${answer.body}`;
    assert.equal(answer.status, 503, seen);
    assert.equal(answer.retryAfter, String(RETRY_AFTER_SECONDS), seen);
    assert.ok(answer.tookMs < PROMPT_503_MS, `${seen}; not within ${PROMPT_503_MS} ms`);
  }

  /** Runs `during` with the Temporal server stopped, then starts it and waits for the service to be ready. */
  async function withTemporalDown(during: () => Promise<void>): Promise<void> {
    await stopStackParts(['temporal']);
    try {
      await during();
    } finally {
      await startStackParts(['temporal']);
      await waitUntil(
        async () => (await fetch(`${service.url}/readyz`)).status === 200,
        'the service to be ready again',
        60_000,
      );
    }
  }

  it('answers POST /charge with 503 and Retry-After within 5 s, /readyz names temporal, and accepts the retried charge once Temporal is back', async () => {
    const charge = newCharge();
    await withTemporalDown(async () => {
      assertPrompt503(await postCharge(charge), 'POST /charge');

      const ready = await fetch(`${service.url}/readyz`);
      assert.equal(ready.status, 503);
      const readiness = (await ready.json()) as { failing: string[] };
      assert.ok(readiness.failing.includes('temporal'), `failing: ${readiness.failing.join(',')}`);
    });
    const retried = await postCharge(charge);
    assert.equal(retried.status, 202, retried.body);
  });

  it('answers a signed webhook with 503 within 5 s while Temporal is down; redelivered once it is back, it is applied and the charge completes with exactly one record on Kafka', async () => {
    const charge = newCharge();
    assert.equal((await postCharge(charge)).status, 202);
    const paymentIntentId = await waitUntil(
      async () => (await state(charge.event_id)).payment_intent_id ?? undefined,
      'the PaymentIntent to be created',
    );
    const event = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      stripeEventId: `evt_${randomUUID().replace(/-/g, '')}`,
      eventId: charge.event_id,
      orderId: charge.order_id,
      paymentIntentId,
    });

    await withTemporalDown(async () => {
      assertPrompt503(await deliverWebhook(event), 'webhook during the outage');
    });

    const redelivered = await deliverWebhook(event);
    assert.equal(redelivered.status, 200, redelivered.body);
    assert.deepEqual(
      JSON.parse(redelivered.body),
      { received: true },
      'signalled to the charge, not ignored',
    );
    const handle = temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id));
    await waitUntil(
      async () => (await handle.describe()).status.name === 'COMPLETED',
      'the charge to complete on the redelivered webhook',
    );
    const outcome = await handle.result();
    assert.equal(outcome.status, 'succeeded');
    assert.equal(outcome.payment_intent_id, paymentIntentId);

    // The workflow has closed, so it publishes nothing more: both topics read to their end now hold
    // everything it will ever write for this charge.
    const records = await readRecordsFor(
      ['payments.completed', 'payments.failed'],
      new Set([charge.event_id]),
    );
    assert.deepEqual(
      records.map((r) => ({ topic: r.topic, key: r.key, payment_intent_id: r.value['payment_intent_id'] })),
      [{ topic: 'payments.completed', key: charge.order_id, payment_intent_id: paymentIntentId }],
    );
  });
});
