/**
 * Bursts of identical requests are normal traffic: a storefront polling a charge's status from many
 * tabs, a customer double-clicking "refund". On the real stack, none of them may end in a 5xx because
 * Temporal buffers only a few queries per workflow while a workflow task is in flight.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import type { ChargeRecord } from '../../src/contracts/charge';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { waitUntil } from '../support/wait';

const GET_BURST = 50;
const REFUND_BURST = 10;

describe('bursts of identical reads and refunds against the real stack', { timeout: 120_000 }, () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(async () => {
    await service?.stop();
  });

  const get = async (eventId: string) => {
    const res = await fetch(`${service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
    return { status: res.status, json: (await res.json()) as ChargeRecord };
  };
  const post = async (path: string, body: object) => {
    const res = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const newCharge = () => {
    const id = randomUUID();
    return { event_id: `evt-burst-${id}`, order_id: `order-burst-${id}`, amount: 2500, currency: 'usd' };
  };
  const count = (statuses: number[]) =>
    statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

  it(`answers ${GET_BURST} concurrent GETs of one charge, started a moment ago, with 200 each`, async () => {
    const charge = newCharge();
    assert.equal((await post('/charge', charge)).status, 202);
    // At once, while the workflow's first tasks are in flight (when Temporal's query buffer fills).
    const answers = await Promise.all(Array.from({ length: GET_BURST }, () => get(charge.event_id)));
    assert.deepEqual(count(answers.map((a) => a.status)), { 200: GET_BURST });
    assert.ok(answers.every((a) => a.json.event_id === charge.event_id));
  });

  it(`answers ${REFUND_BURST} concurrent identical refunds with one 201 and 200 duplicates, never a 5xx`, async () => {
    const charge = newCharge();
    assert.equal((await post('/charge', charge)).status, 202);
    const pi = await waitUntil(
      async () => (await get(charge.event_id)).json.payment_intent_id ?? undefined,
      'PI',
    );
    const payload = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      paymentIntentId: pi,
    });
    const hook = await fetch(`${service.url}/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureFor(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
    assert.equal(hook.status, 200);
    await waitUntil(
      async () => (await get(charge.event_id)).json.status === 'succeeded' || undefined,
      'succeeded',
    );

    const refund = { refund_id: `rf-${randomUUID()}`, amount: 1000 };
    const answers = await Promise.all(
      Array.from({ length: REFUND_BURST }, () => post(`/charges/${charge.event_id}/refund`, refund)),
    );
    assert.deepEqual(count(answers.map((a) => a.status)), { 200: REFUND_BURST - 1, 201: 1 });
    const refundIds = new Set(
      answers.map((a) => (a.json['refund'] as { stripe_refund_id: string }).stripe_refund_id),
    );
    assert.equal(refundIds.size, 1, 'every answer names the same Stripe refund');

    const after = await get(charge.event_id);
    assert.equal(after.status, 200);
    assert.equal((after.json as ChargeRecord & { refunded_amount: number }).refunded_amount, 1000);
  });
});
