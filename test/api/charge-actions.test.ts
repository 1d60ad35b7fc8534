import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

describe('POST /charges/:event_id/refund and /cancel', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  async function charge(
    status?: 'succeeded' | 'failed',
    money: { amount: number; currency: string } = { amount: 1000, currency: 'usd' },
  ): Promise<string> {
    const eventId = `evt-${randomUUID()}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/charge',
      headers: auth,
      payload: { event_id: eventId, order_id: `o-${eventId}`, ...money },
    });
    assert.equal(res.statusCode, 202);
    if (status) t.charges.statuses.set(eventId, status);
    return eventId;
  }
  const refund = (eventId: string, payload: object, headers: Record<string, string> = auth) =>
    t.app.inject({ method: 'POST', url: `/charges/${eventId}/refund`, headers, payload });
  const cancel = (eventId: string) =>
    t.app.inject({ method: 'POST', url: `/charges/${eventId}/cancel`, headers: auth });

  it('creates a refund with 201, answers a repeat with 200 and duplicate=true', async () => {
    const eventId = await charge('succeeded');
    const first = await refund(eventId, { refund_id: 'r-1', amount: 400, reason: 'requested_by_customer' });
    assert.equal(first.statusCode, 201);
    assert.equal(first.json<{ refund: { amount: number } }>().refund.amount, 400);
    const again = await refund(eventId, { refund_id: 'r-1', amount: 400, reason: 'requested_by_customer' });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
  });

  it('answers 422 over the remainder and 409 for a refund_id reused with another body', async () => {
    const eventId = await charge('succeeded');
    assert.equal((await refund(eventId, { refund_id: 'a', amount: 900 })).statusCode, 201);
    const over = await refund(eventId, { refund_id: 'b', amount: 101 });
    assert.equal(over.statusCode, 422);
    assert.equal(over.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'amount');
    assert.equal((await refund(eventId, { refund_id: 'a', amount: 800 })).statusCode, 409);
  });

  for (const [currency, amount, refused, taken, reason] of [
    ['isk', 50_000, 150, 100, 'must be divisible by 100 for ISK'],
    ['ugx', 50_000, 12_345, 12_300, 'must be divisible by 100 for UGX'],
    ['kwd', 5_000, 1_995, 1_990, 'must end in 0 for KWD'],
  ] as const) {
    it(`refuses a ${currency.toUpperCase()} refund of ${refused} with 400 naming amount (Stripe takes no such amount), and takes ${taken}`, async () => {
      const eventId = await charge('succeeded', { amount, currency });
      const res = await refund(eventId, { refund_id: `r-${randomUUID()}`, amount: refused });
      assert.equal(res.statusCode, 400, res.body);
      const json = res.json<{ errors: Array<{ field: string; reason: string }> }>();
      assert.equal(json.errors[0]?.field, 'amount');
      assert.ok(json.errors[0]?.reason.includes(reason), res.body);
      assert.equal(t.charges.refunds.get(eventId), undefined, 'nothing reached the refunds workflow');
      const whole = await refund(eventId, { refund_id: `r-${randomUUID()}`, amount: taken });
      assert.equal(whole.statusCode, 201, whole.body);
    });
  }

  it('answers 404 for an unknown charge and 409 for one that has not succeeded', async () => {
    assert.equal((await refund('never-seen', { refund_id: 'x' })).statusCode, 404);
    const pending = await charge();
    const res = await refund(pending, { refund_id: 'x' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<{ error: string }>().error, 'charge_not_refundable');
  });

  describe('a charge whose workflow is no longer retained (its refunds workflow asks Stripe)', () => {
    it('sends the event_id alone, and answers 201 then 200 for a repeat from what Stripe says', async () => {
      const eventId = await charge('succeeded');
      t.charges.expire(eventId);
      t.charges.stripeCharges.set(eventId, { status: 'succeeded', amount: 1000 });
      const first = await refund(eventId, { refund_id: 'gone-1', amount: 300 });
      assert.equal(first.statusCode, 201, first.body);
      assert.deepEqual(t.charges.refundInputs.at(-1), {
        charge: null,
        event_id: eventId,
        window_seconds: 180 * 24 * 60 * 60,
      });
      const again = await refund(eventId, { refund_id: 'gone-1', amount: 300 });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
      const over = await refund(eventId, { refund_id: 'gone-2', amount: 701 });
      assert.equal(over.statusCode, 422);
    });

    it('answers 404 when Stripe has no payment for the event_id, 409 when it never succeeded', async () => {
      const never = `evt-${randomUUID()}`;
      const res = await refund(never, { refund_id: 'x' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<{ error: string }>().error, 'not_found');
      t.charges.stripeCharges.set(never, { status: 'requires_payment_method', amount: 1000 });
      const unpaid = await refund(never, { refund_id: 'x' });
      assert.equal(unpaid.statusCode, 409);
      assert.equal(unpaid.json<{ error: string }>().error, 'charge_not_refundable');
    });

    it('answers 503 with Retry-After when Stripe refused the look-up itself, without its detail', async () => {
      const eventId = `evt-${randomUUID()}`;
      t.charges.stripeCharges.set(eventId, 'lookup_refused');
      const res = await refund(eventId, { refund_id: 'l-1' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.json<{ error: string }>().error, 'unavailable');
    });

    it('answers 503 with Retry-After, never a 2xx, when Temporal cannot take the request', async () => {
      const eventId = `evt-${randomUUID()}`;
      t.charges.stripeCharges.set(eventId, { status: 'succeeded', amount: 1000 });
      t.charges.unavailable = true;
      try {
        const res = await refund(eventId, { refund_id: 'u-1' });
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['retry-after'], '5');
      } finally {
        t.charges.unavailable = false;
      }
    });

    it('answers 202 held with Retry-After while Stripe has not answered (the request is durably held)', async () => {
      const eventId = `evt-${randomUUID()}`;
      t.charges.stripeCharges.set(eventId, 'held');
      const res = await refund(eventId, { refund_id: 'h-1', amount: 100 });
      assert.equal(res.statusCode, 202);
      assert.equal(res.headers['retry-after'], '5');
      assert.deepEqual(
        { ...res.json<Record<string, unknown>>(), message: undefined },
        { event_id: eventId, refund_id: 'h-1', status: 'held', message: undefined },
      );
    });
  });

  it('validates the refund body and requires the bearer token', async () => {
    const eventId = await charge('succeeded');
    assert.equal((await refund(eventId, { refund_id: 'bad id' })).statusCode, 400);
    assert.equal((await refund(eventId, { refund_id: 'r', reason: 'because' })).statusCode, 400);
    assert.equal((await refund(eventId, { refund_id: 'r', amount: 0 })).statusCode, 400);
    assert.equal((await refund(eventId, { refund_id: 'r', tip: 1 })).statusCode, 400);
    assert.equal((await refund(eventId, { refund_id: 'r' }, {})).statusCode, 401);
  });

  it('cancels a pending charge, and refuses a succeeded one with a hint to refund', async () => {
    const pending = await charge();
    const canceled = await cancel(pending);
    assert.equal(canceled.statusCode, 200);
    assert.equal(canceled.json<{ status: string }>().status, 'canceled');

    const succeeded = await charge('succeeded');
    const refused = await cancel(succeeded);
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json<{ hint: string }>().hint, /refund/);
    assert.equal((await cancel('never-seen')).statusCode, 404);
  });

  it('answers a repeated cancel with the canceled charge again, and refuses to cancel a failed one', async () => {
    const pending = await charge();
    assert.equal((await cancel(pending)).statusCode, 200);
    const again = await cancel(pending);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ status: string }>().status, 'canceled');

    const failed = await charge('failed');
    const refused = await cancel(failed);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json<{ error: string }>().error, 'charge_failed');
  });

  it('answers 409 refund_window_closed once the refund window of the charge has closed', async () => {
    const eventId = await charge('succeeded');
    t.charges.refundWindowClosed.add(eventId);
    const res = await refund(eventId, { refund_id: `late-${eventId}`, amount: 100 });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<{ error: string }>().error, 'refund_window_closed');
  });

  it('shows refunds on GET /charges/:event_id', async () => {
    const eventId = await charge('succeeded');
    await refund(eventId, { refund_id: 'g-1', amount: 250 });
    const res = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
    assert.equal(res.json<{ refunded_amount: number }>().refunded_amount, 250);
  });
});
