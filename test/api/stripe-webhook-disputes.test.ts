/**
 * The webhook receiver's part of disputes: a verified charge.dispute.* event goes to the dispute's
 * workflow (its payload read from the Dispute object, money movements included), 200 only once
 * Temporal holds it, 503 + Retry-After when it cannot; and GET /charges/:event_id lists the disputes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { disputeEvent, signatureFor, type DisputeEventOptions } from '../../scripts/stripe-events';
import type { DisputeRecord } from '../../src/contracts/dispute';
import { buildTestApp, TEST_API_TOKEN, TEST_WEBHOOK_SECRETS, type TestApp } from '../support/test-app';

const [SECRET] = TEST_WEBHOOK_SECRETS;

describe('dispute webhooks and the charge read', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const deliver = (options: Partial<DisputeEventOptions> = {}) => {
    const body = disputeEvent({
      type: 'created',
      disputeId: `dp_${randomUUID().slice(0, 12)}`,
      paymentIntentId: 'pi_disputed',
      status: 'needs_response',
      amount: 1999,
      currency: 'USD',
      dueBy: 1_800_000_000,
      ...options,
    });
    return t.app.inject({
      method: 'POST',
      url: '/stripe/webhook',
      payload: body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(body, SECRET ?? '') },
    });
  };

  it("hands a verified charge.dispute.created to the dispute's workflow, with what the Dispute says", async () => {
    const res = await deliver({ disputeId: 'dp_created_1', stripeEventId: 'evt_dispute_created_1' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true });
    const payload = t.disputes.delivered.at(-1);
    assert.deepEqual(payload, {
      stripe_event_id: 'evt_dispute_created_1',
      type: 'charge.dispute.created',
      created: payload?.created,
      dispute_id: 'dp_created_1',
      payment_intent_id: 'pi_disputed',
      charge_id: 'ch_for_dp_created_1',
      status: 'needs_response',
      reason: 'fraudulent',
      amount: 1999,
      currency: 'usd',
      evidence_due_by: 1_800_000_000,
      evidence_submission_count: 0,
      funds_withdrawn: false,
      funds_reinstated: false,
    });
  });

  it("reads the money's movements from the Dispute's balance transactions, whatever the event type", async () => {
    await deliver({ type: 'updated', status: 'under_review', withdrawn: true, submissionCount: 1 });
    assert.equal(t.disputes.delivered.at(-1)?.funds_withdrawn, true);
    assert.equal(t.disputes.delivered.at(-1)?.funds_reinstated, false);
    assert.equal(t.disputes.delivered.at(-1)?.evidence_submission_count, 1);
    await deliver({ type: 'closed', status: 'won', withdrawn: true, reinstated: true });
    assert.equal(t.disputes.delivered.at(-1)?.funds_reinstated, true);
    await deliver({ type: 'funds_withdrawn' });
    assert.equal(t.disputes.delivered.at(-1)?.funds_withdrawn, true, 'the event type says so too');
  });

  it('hands over a dispute without a PaymentIntent too: its workflow counts it as not ours', async () => {
    const res = await deliver({ paymentIntentId: null });
    assert.equal(res.statusCode, 200);
    assert.equal(t.disputes.delivered.at(-1)?.payment_intent_id, null);
  });

  it('acknowledges an event for a dispute whose workflow has ended, and says so', async () => {
    t.disputes.ended.add('dp_ended');
    const res = await deliver({ disputeId: 'dp_ended', type: 'closed', status: 'lost' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { received: true, ignored: 'dispute_closed' });
    const metrics = await t.metrics.registry.getSingleMetricAsString('payments_webhook_events_total');
    assert.match(metrics, /result="ignored",reason="dispute_closed"[^}]*\} 1/);
  });

  it('answers 503 with Retry-After while Temporal cannot take the event, so Stripe retries it', async () => {
    t.disputes.unavailable = true;
    try {
      const res = await deliver();
      assert.equal(res.statusCode, 503);
      assert.ok(res.headers['retry-after']);
      assert.doesNotMatch(res.body, /UNAVAILABLE|connection refused/, 'no detail leaks');
    } finally {
      t.disputes.unavailable = false;
    }
  });

  it('rejects a dispute event with a bad signature, delivering nothing', async () => {
    const before = t.disputes.delivered.length;
    const body = disputeEvent({
      type: 'created',
      disputeId: 'dp_forged',
      paymentIntentId: 'pi_x',
      status: 'needs_response',
      amount: 1,
      currency: 'usd',
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/stripe/webhook',
      payload: body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(body, 'whsec_wrong') },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(t.disputes.delivered.length, before);
  });

  it("lists a succeeded charge's disputes with their evidence due time on GET /charges/:event_id", async () => {
    const eventId = `evt-${randomUUID()}`;
    const created = await t.app.inject({
      method: 'POST',
      url: '/charge',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
      payload: { event_id: eventId, order_id: `order-${eventId}`, amount: 1999, currency: 'usd' },
    });
    assert.equal(created.statusCode, 202);
    t.charges.statuses.set(eventId, 'succeeded');
    const dispute: DisputeRecord = {
      dispute_id: 'dp_listed',
      event_id: eventId,
      order_id: `order-${eventId}`,
      payment_intent_id: 'pi_listed',
      charge_id: 'ch_listed',
      status: 'needs_response',
      reason: 'fraudulent',
      amount: 1999,
      currency: 'usd',
      evidence_due_by: '2027-01-15T23:59:59.000Z',
      evidence_submitted: false,
      funds_withdrawn: true,
      funds_reinstated: false,
      outcome: null,
      money_mismatch: null,
      updated_at: '2027-01-01T00:00:00.000Z',
    };
    t.disputes.byCharge.set(eventId, [dispute]);
    const res = await t.app.inject({
      method: 'GET',
      url: `/charges/${eventId}`,
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json<{ disputes: DisputeRecord[] }>().disputes, [dispute]);
  });
});
