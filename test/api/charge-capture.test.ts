/**
 * Manual capture at the gateway (app.inject over the typed fake of Temporal): `capture` on POST /charge
 * and POST /charges/:event_id/capture with every answer it documents.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CAPTURE_POLICY } from '../../src/contracts/charge';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

describe('manual capture: POST /charge with capture, POST /charges/:event_id/capture', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const post = (payload: object) => t.app.inject({ method: 'POST', url: '/charge', headers: auth, payload });
  const body = (eventId: string, capture?: string) => ({
    event_id: eventId,
    order_id: `o-${eventId}`,
    amount: 4500,
    currency: 'usd',
    ...(capture ? { capture } : {}),
  });
  const capture = (eventId: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url: `/charges/${eventId}/capture`, headers: auth, payload });

  /** A manual-capture charge the fake reports authorized. */
  async function authorizedCharge(): Promise<string> {
    const eventId = `evt-${randomUUID()}`;
    assert.equal((await post(body(eventId, 'manual'))).statusCode, 202);
    t.charges.statuses.set(eventId, 'authorized');
    t.charges.holdExpiry.set(eventId, { at: '2026-12-08T10:00:00.000Z', expired: false });
    return eventId;
  }

  it('starts a capture: manual charge with the hold policy; an automatic one exactly as before', async () => {
    const manual = `evt-${randomUUID()}`;
    assert.equal((await post(body(manual, 'manual'))).statusCode, 202);
    const started = t.charges.started.find((s) => s.request.event_id === manual);
    assert.equal(started?.request.capture, 'manual');
    assert.deepEqual(started?.capture_policy, DEFAULT_CAPTURE_POLICY);

    const explicit = `evt-${randomUUID()}`;
    assert.equal((await post(body(explicit, 'automatic'))).statusCode, 202);
    const auto = t.charges.started.find((s) => s.request.event_id === explicit);
    assert.equal('capture' in (auto?.request ?? {}), false, 'automatic is the default: not carried');
    assert.equal(auto?.capture_policy, undefined);
  });

  it('makes capture part of the payload: a repeat with another value is 409, automatic = omitted', async () => {
    const eventId = `evt-${randomUUID()}`;
    assert.equal((await post(body(eventId))).statusCode, 202);
    assert.equal((await post(body(eventId, 'automatic'))).statusCode, 200, 'the same charge');
    const other = await post(body(eventId, 'manual'));
    assert.equal(other.statusCode, 409, other.body);
  });

  it('refuses an unknown capture value with 400 naming the field', async () => {
    const res = await post(body(`evt-${randomUUID()}`, 'later'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'capture');
  });

  it('captures part of the hold: 200, succeeded, with the amount captured; a repeat answers the same capture', async () => {
    const eventId = await authorizedCharge();
    const shown = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
    assert.deepEqual(shown.json<{ capture: unknown }>().capture, {
      capture_method: 'manual',
      amount_capturable: 4500,
      authorization_expires_at: '2026-12-08T10:00:00.000Z',
      amount_captured: null,
    });
    const res = await capture(eventId, { amount: 3000 });
    assert.equal(res.statusCode, 200, res.body);
    const record = res.json<{ status: string; amount: number; capture: { amount_captured: number } }>();
    assert.equal(record.status, 'succeeded');
    assert.equal(record.amount, 4500);
    assert.equal(record.capture.amount_captured, 3000);
    const again = await capture(eventId, { amount: 3000 });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ capture: { amount_captured: number } }>().capture.amount_captured, 3000);
    assert.equal(t.charges.captured.get(eventId), 3000);
  });

  it('refunds a partly captured charge from the amount captured, not the amount asked', async () => {
    const eventId = await authorizedCharge();
    assert.equal((await capture(eventId, { amount: 3000 })).statusCode, 200);
    const refund = (amount: number) =>
      t.app.inject({
        method: 'POST',
        url: `/charges/${eventId}/refund`,
        headers: auth,
        payload: { refund_id: `r-${randomUUID()}`, amount },
      });
    assert.equal((await refund(3001)).statusCode, 422, 'more than was captured');
    assert.equal((await refund(3000)).statusCode, 201);
  });

  it('takes no body as "all of it"', async () => {
    const eventId = await authorizedCharge();
    const res = await t.app.inject({ method: 'POST', url: `/charges/${eventId}/capture`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(t.charges.captured.get(eventId), 4500);
  });

  it('answers 422 capture_exceeds_capturable naming amount above the hold', async () => {
    const eventId = await authorizedCharge();
    const res = await capture(eventId, { amount: 4501 });
    assert.equal(res.statusCode, 422);
    const json = res.json<{ error: string; errors: Array<{ field: string }> }>();
    assert.equal(json.error, 'capture_exceeds_capturable');
    assert.equal(json.errors[0]?.field, 'amount');
  });

  it('answers 409 charge_not_authorized for a charge that is not authorized, 404 for none', async () => {
    const pending = `evt-${randomUUID()}`;
    await post(body(pending));
    const res = await capture(pending);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<{ error: string }>().error, 'charge_not_authorized');
    assert.equal((await capture(`evt-${randomUUID()}`)).statusCode, 404);
  });

  it('answers 409 authorization_expired naming the expiry after the hold expired', async () => {
    const eventId = await authorizedCharge();
    t.charges.holdExpiry.set(eventId, { at: '2026-12-08T10:00:00.000Z', expired: true });
    const res = await capture(eventId, { amount: 100 });
    assert.equal(res.statusCode, 409);
    const json = res.json<{ error: string; message: string }>();
    assert.equal(json.error, 'authorization_expired');
    assert.match(json.message, /2026-12-08T10:00:00.000Z/);
  });

  it("answers 409 capture_refused with Stripe's reason when Stripe refuses the capture", async () => {
    const eventId = await authorizedCharge();
    t.charges.captureRefusals.set(eventId, 'amount_to_capture is invalid');
    const res = await capture(eventId, { amount: 100 });
    assert.equal(res.statusCode, 409);
    const json = res.json<{ error: string; message: string }>();
    assert.equal(json.error, 'capture_refused');
    assert.match(json.message, /amount_to_capture is invalid/);
  });

  it('validates the body (400 naming amount) and requires the bearer token', async () => {
    const eventId = await authorizedCharge();
    const zero = await capture(eventId, { amount: 0 });
    assert.equal(zero.statusCode, 400);
    assert.equal(zero.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'amount');
    assert.equal((await capture(eventId, { amount: 10, extra: 1 })).statusCode, 400);
    const anonymous = await t.app.inject({ method: 'POST', url: `/charges/${eventId}/capture`, payload: {} });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(t.charges.captured.has(eventId), false);
  });

  it('answers 503 with Retry-After when Temporal cannot be reached, and the retry captures once', async () => {
    const eventId = await authorizedCharge();
    t.charges.unavailable = true;
    try {
      const res = await capture(eventId, { amount: 1000 });
      assert.equal(res.statusCode, 503);
      assert.ok(Number(res.headers['retry-after']) > 0);
    } finally {
      t.charges.unavailable = false;
    }
    assert.equal((await capture(eventId, { amount: 1000 })).statusCode, 200);
    assert.equal(t.charges.captured.get(eventId), 1000);
  });
});
