/**
 * Manual capture end to end on the real stack, against the Stripe test-mode stand-in (which keeps a
 * PaymentIntent in requires_capture and captures at most what it holds, once): authorize →
 * payments.authorized → partial capture → payments.completed with the amount captured → a refund of
 * part of it; and a hold voided by the caller, announced canceled. Every record read is checked
 * against its topic's contract (test/support/kafka-reader.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { captureIdempotencyKey } from '../../src/contracts/charge';
import { readRecordsFor } from '../support/kafka-reader';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

describe('manual capture against the Stripe stand-in', { timeout: 240_000 }, () => {
  const suite = standinServiceForSuite({
    standin: { webhooks: { retry_base_ms: 300 } },
    env: { CHARGE_RECONCILE_AFTER_SECONDS: '2', CHARGE_RECONCILE_MAX_INTERVAL_SECONDS: '2' },
  });
  const { post, statusIs } = suite;
  const recordsOn = (topic: string, eventId: string) =>
    waitUntil(async () => {
      const found = await readRecordsFor([topic], new Set([eventId]));
      return found.length > 0 ? found : undefined;
    }, `${topic} for ${eventId}`);
  const authorizedCharge = async () => {
    const eventId = `evt-capture-${randomUUID()}`;
    const body = {
      event_id: eventId,
      order_id: `order-${eventId}`,
      amount: 4500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture: 'manual',
    };
    assert.equal((await post('/charge', body)).status, 202);
    return { eventId, authorized: await statusIs(eventId, 'authorized') };
  };

  it('authorizes, announces payments.authorized, captures part, completes with the amount captured, refunds part of it', async () => {
    const { eventId, authorized } = await authorizedCharge();
    assert.equal(authorized.capture?.amount_capturable, 4500);
    assert.ok(authorized.capture?.authorization_expires_at);
    const pi = authorized.payment_intent_id ?? '';
    assert.equal((await suite.standin.control.paymentIntent(pi)).status, 'requires_capture');

    const [announced, ...more] = await recordsOn('payments.authorized', eventId);
    assert.equal(more.length, 0, 'announced once');
    assert.equal(announced?.headers['message_id'], `charge:${eventId}:authorized`);
    assert.equal(announced?.key, `order-${eventId}`);
    assert.equal(announced?.value['amount_capturable'], 4500);

    const captured = await post(`/charges/${eventId}/capture`, { amount: 3000 });
    assert.equal(captured.status, 200, JSON.stringify(captured.json));
    assert.equal(captured.json.status, 'succeeded');
    assert.equal(captured.json.capture?.amount_captured, 3000);
    const repeat = await post(`/charges/${eventId}/capture`, { amount: 3000 });
    assert.equal(repeat.status, 200, 'a repeat answers the same capture');
    const { data: captures } = await suite.standin.control.requests({
      method: 'POST',
      path: `/v1/payment_intents/${pi}/capture`,
    });
    assert.equal(captures.length, 1, 'one capture at Stripe');
    assert.equal(captures[0]?.idempotency_key, captureIdempotencyKey(eventId));

    const [completed] = await recordsOn('payments.completed', eventId);
    assert.equal(completed?.value['amount'], 4500, 'the amount asked');
    assert.equal(completed?.value['amount_captured'], 3000, 'the amount captured');

    const refund = await post(`/charges/${eventId}/refund`, { refund_id: `r-${randomUUID()}`, amount: 1000 });
    assert.equal(refund.status, 201, JSON.stringify(refund.json));
    const tooMuch = await post(`/charges/${eventId}/refund`, {
      refund_id: `r-${randomUUID()}`,
      amount: 2001,
    });
    assert.equal(tooMuch.status, 422, 'only what was captured can be refunded');
  });

  it('voids the hold when the caller cancels an authorized charge, and announces it canceled', async () => {
    const { eventId, authorized } = await authorizedCharge();
    const canceled = await post(`/charges/${eventId}/cancel`);
    assert.equal(canceled.status, 200, JSON.stringify(canceled.json));
    assert.equal(canceled.json.status, 'canceled');
    assert.equal(
      (await suite.standin.control.paymentIntent(authorized.payment_intent_id ?? '')).status,
      'canceled',
    );
    const [failed] = await recordsOn('payments.failed', eventId);
    assert.equal(failed?.value['status'], 'canceled');
    const late = await post(`/charges/${eventId}/capture`, {});
    assert.equal(late.status, 409);
  });

  it("ends canceled, the hold expired, when Stripe's expiry comes first; a capture then is a 409 naming the expiry", async () => {
    const { eventId, authorized } = await authorizedCharge();
    await suite.standin.control.expireAuthorization(authorized.payment_intent_id ?? '');
    const ended = await statusIs(eventId, 'canceled');
    assert.equal(ended.failure?.code, 'authorization_expired');
    const [failed] = await recordsOn('payments.failed', eventId);
    assert.equal((failed?.value['failure'] as { code?: string } | undefined)?.code, 'authorization_expired');
    const late = await post(`/charges/${eventId}/capture`, {});
    assert.equal(late.status, 409);
    assert.equal(late.json['error'], 'authorization_expired');
    assert.ok(
      String(late.json['message']).includes(authorized.capture?.authorization_expires_at ?? '?'),
      String(late.json['message']),
    );
  });
});
