/**
 * One charge end to end through the three roles running apart, as the image tests and the compose
 * run check it: POST /charge to the gateway, the worker creates the PaymentIntent at the stack's
 * Stripe stand-in, the customer pays it there, a signed payment_intent.succeeded to the webhook
 * receiver (and a forged one refused), the charge succeeds, exactly one payments.completed record
 * with its event_id is on Kafka, and Stripe holds one PaymentIntent for it, succeeded.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChargeRecord } from '../../src/contracts/charge';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { StandinControl } from '../../tools/stripe-standin/control-client';
import { readRecordsFor } from '../support/kafka-reader';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';

export interface ChargeThroughOptions {
  readonly gatewayUrl: string;
  readonly receiverUrl: string;
  readonly chargeApiToken: string;
  readonly webhookSecret: string;
  readonly prefix: string;
}

export interface ChargeThroughResult {
  readonly eventId: string;
  readonly orderId: string;
  readonly paymentIntentId: string;
  /** From the POST to the record read on Kafka. */
  readonly ms: number;
}

export async function chargeThrough(o: ChargeThroughOptions): Promise<ChargeThroughResult> {
  const id = randomUUID();
  const charge = {
    event_id: `evt-${o.prefix}-${id}`,
    order_id: `order-${o.prefix}-${id}`,
    amount: 1999,
    currency: 'EUR',
  };
  const auth = { authorization: `Bearer ${o.chargeApiToken}` };
  const started = Date.now();

  const res = await fetch(`${o.gatewayUrl}/charge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(charge),
  });
  assert.equal(res.status, 202, await res.clone().text());

  const read = async (): Promise<ChargeRecord | undefined> => {
    const r = await fetch(`${o.gatewayUrl}/charges/${charge.event_id}`, { headers: auth });
    return r.status === 200 ? ((await r.json()) as ChargeRecord) : undefined;
  };
  const created = await waitUntil(
    async () => {
      const record = await read();
      return record?.payment_intent_id ? record : undefined;
    },
    'the worker to create the PaymentIntent at the Stripe stand-in',
    60_000,
  );
  const paymentIntentId = created.payment_intent_id ?? '';
  assert.match(paymentIntentId, /^pi_/);
  // The customer pays in the browser. The stand-in has no endpoint for these containers: the webhook
  // is signed and posted here, with the receiver's secret (and once with another).
  const stripe = new StandinControl(stack.stripeStandinUrl);
  assert.equal((await stripe.confirm(paymentIntentId, 'pm_card_visa')).payment_intent.status, 'succeeded');

  const payload = paymentIntentEvent({
    type: 'payment_intent.succeeded',
    eventId: charge.event_id,
    orderId: charge.order_id,
    paymentIntentId,
    status: 'succeeded',
  });
  const deliver = (secret: string) =>
    fetch(`${o.receiverUrl}/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(payload, secret) },
      body: payload,
    });
  const forged = await deliver('whsec_not_the_receivers_secret');
  assert.equal(forged.status, 400, 'a webhook signed with another secret is refused');
  const hook = await deliver(o.webhookSecret);
  assert.equal(hook.status, 200, await hook.clone().text());

  const done = await waitUntil(
    async () => {
      const record = await read();
      return record?.status === 'succeeded' ? record : undefined;
    },
    'the charge to succeed',
    60_000,
  );
  assert.equal(done.payment_intent_id, paymentIntentId);
  const records = await waitUntil(
    async () => {
      const found = await readRecordsFor(
        ['payments.completed', 'payments.failed'],
        new Set([charge.event_id]),
      );
      return found.length > 0 ? found : undefined;
    },
    `the payments.completed record of ${charge.event_id}`,
    60_000,
    500,
  );
  assert.equal(records.length, 1, 'exactly one record');
  assert.equal(records[0]?.topic, 'payments.completed');
  assert.equal(records[0]?.key, charge.order_id);
  const atStripe = await stripe.paymentIntentsFor(charge.event_id);
  assert.deepEqual(
    atStripe.map((pi) => [pi.id, pi.status, pi.amount, pi.currency]),
    [[paymentIntentId, 'succeeded', 1999, 'eur']],
    'one PaymentIntent at Stripe, paid, for the charge',
  );
  return { eventId: charge.event_id, orderId: charge.order_id, paymentIntentId, ms: Date.now() - started };
}

/** Each role's own log names the charge: the gateway accepted it, the receiver signalled it, the worker published it. */
export function assertLogsNameCharge(logs: Readonly<Record<string, string>>, eventId: string): void {
  const lines = (role: string) => (logs[role] ?? '').split('\n').filter((l) => l.includes(eventId));
  assert.ok(
    lines('gateway').some((l) => l.includes('charge accepted')),
    "the gateway's log has 'charge accepted' for the charge",
  );
  assert.ok(
    lines('webhook-receiver').some((l) => l.includes('webhook signalled to charge')),
    "the webhook receiver's log has 'webhook signalled to charge' for the charge",
  );
  assert.ok(
    lines('worker').some((l) => l.includes('event published')),
    "the worker's log has 'event published' for the charge",
  );
}
