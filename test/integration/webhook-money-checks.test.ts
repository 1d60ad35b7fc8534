/**
 * A verified webhook proves it came from Stripe, not that it speaks of this charge's money. On the
 * real stack, against the Stripe test-mode stand-in (which keeps each PaymentIntent, so what the
 * workflow reads back is the PaymentIntent's real state): an event with another amount or currency, or from the other mode, is not applied; a
 * PaymentIntent Stripe itself reports with other money ends the charge failed `amount_mismatch`,
 * never succeeded, and nothing reaches payments.completed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { ChargeFailureCodeSearchAttribute } from '../../src/workflows/messages';
import { readRecordsFor } from '../support/kafka-reader';
import { AUTH_HEADER, TEST_WEBHOOK_SECRET } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const AMOUNT = 1099;
const CURRENCY = 'usd';

describe('webhooks are checked against the charge before they change it', { timeout: 120_000 }, () => {
  const running = standinServiceForSuite();

  const get = async (eventId: string) =>
    (await (
      await fetch(`${running.service.url}/charges/${eventId}`, { headers: AUTH_HEADER })
    ).json()) as ChargeRecord;
  const deliver = async (payload: string) => {
    const res = await fetch(`${running.service.url}/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureFor(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
    return { status: res.status, json: (await res.json()) as { received: boolean; ignored?: string } };
  };
  /** The retrieves of this PaymentIntent that reached Stripe (the recorder's paths carry no query). */
  const retrievesOf = async (pi: string) =>
    (
      await running.standin.control.requests({ method: 'GET', path: `/v1/payment_intents/${pi}` })
    ).data.filter((r) => r.path === `/v1/payment_intents/${pi}`).length;

  async function pendingCharge(): Promise<{ eventId: string; pi: string }> {
    const eventId = `evt-money-${randomUUID()}`;
    const res = await fetch(`${running.service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify({
        event_id: eventId,
        order_id: `order-${eventId}`,
        amount: AMOUNT,
        currency: CURRENCY,
      }),
    });
    assert.equal(res.status, 202);
    const pi = await waitUntil(
      async () => (await get(eventId)).payment_intent_id ?? undefined,
      'PaymentIntent',
    );
    return { eventId, pi };
  }
  const succeeded = (eventId: string, pi: string, extra: object) =>
    paymentIntentEvent({ type: 'payment_intent.succeeded', eventId, paymentIntentId: pi, ...extra });

  for (const [what, extra] of [
    ['another amount', { amount: AMOUNT + 1, currency: CURRENCY }],
    ['another currency', { amount: AMOUNT, currency: 'eur' }],
  ] as const) {
    it(`does not apply a payment_intent.succeeded with ${what}: it asks Stripe, which says pending`, async () => {
      const { eventId, pi } = await pendingCharge();
      const before = await retrievesOf(pi);
      assert.equal((await deliver(succeeded(eventId, pi, extra))).status, 200);
      // Stripe says what it knows: still waiting for the customer.
      await waitUntil(
        async () => (await retrievesOf(pi)) > before || undefined,
        'the workflow to ask Stripe',
      );
      assert.equal((await get(eventId)).status, 'pending');

      // The customer pays; Stripe's own event, with the charge's money, completes it: once.
      await running.standin.control.confirm(pi, 'pm_card_visa');
      await running.temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId)).result();
      const records = await readRecordsFor(['payments.completed', 'payments.failed'], new Set([eventId]));
      assert.deepEqual(
        records.map((r) => r.topic),
        ['payments.completed'],
      );
    });
  }

  it('ignores an event from live mode at a test-mode receiver, without asking Stripe', async () => {
    const { eventId, pi } = await pendingCharge();
    const before = await retrievesOf(pi);
    const answer = await deliver(
      succeeded(eventId, pi, { amount: AMOUNT, currency: CURRENCY, livemode: true }),
    );
    assert.deepEqual(answer, { status: 200, json: { received: true, ignored: 'livemode_mismatch' } });
    assert.equal((await get(eventId)).status, 'pending');
    assert.equal(await retrievesOf(pi), before);
    const metrics = await (await fetch(`${running.service.url}/metrics`)).text();
    assert.match(
      metrics,
      /payments_webhook_events_total\{[^}]*result="ignored"[^}]*reason="livemode_mismatch"[^}]*\} [1-9]/,
    );
  });

  it('ignores an event about another PaymentIntent', async () => {
    const { eventId } = await pendingCharge();
    const answer = await deliver(
      succeeded(eventId, 'pi_someone_else', { amount: AMOUNT, currency: CURRENCY }),
    );
    assert.equal(answer.status, 200);
    assert.equal((await get(eventId)).status, 'pending');
  });

  it('ends a charge failed amount_mismatch when Stripe itself reports other money, and publishes no completion', async () => {
    const { eventId, pi } = await pendingCharge();
    // Someone doubles the amount in the Dashboard, then the customer pays it: Stripe's event and
    // its PaymentIntent both say 21.98 USD.
    await running.standin.stripe.paymentIntents.update(pi, { amount: AMOUNT * 2 });
    await running.standin.control.confirm(pi, 'pm_card_visa');
    const record = await running.temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId))
      .result();
    assert.equal(record.status, 'failed');
    assert.equal(record.failure?.code, 'amount_mismatch');
    assert.match(record.failure?.message ?? '', /Stripe reports 21\.98 USD; the charge asked 10\.99 USD/);
    const records = await readRecordsFor(['payments.completed', 'payments.failed'], new Set([eventId]));
    assert.deepEqual(
      records.map((r) => r.topic),
      ['payments.failed'],
    );
    // What an operator finds it by: a search attribute, and the worker's metric.
    const description = await running.temporal.workflow.getHandle(chargeWorkflowId(eventId)).describe();
    assert.equal(description.typedSearchAttributes.get(ChargeFailureCodeSearchAttribute), 'amount_mismatch');
    const metrics = await (await fetch(`${running.service.url}/metrics`)).text();
    assert.match(metrics, /payments_money_mismatches[^\n]*source="payment_intent"[^\n]* [1-9]/);
  });
});
