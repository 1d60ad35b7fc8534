/**
 * What the platform hears equals what Stripe did with the money, on the real stack with the Stripe
 * stand-in (tools/stripe-standin, a test tool) keeping the PaymentIntents and sending the webhooks:
 * - a browser checkout whose first card is declined stays open for another card, and the retry that
 *   pays ends it succeeded: one payments.completed, never a payments.failed;
 * - a server-confirmed charge that is declined has its PaymentIntent canceled at Stripe before
 *   payments.failed is published, so no later confirmation can take money for that order;
 * - a server-confirmed charge whose bank wants 3-D Secure is declined off-session, and asks the
 *   customer (requires_action) when a return_url says the customer is in the checkout.
 * (Money taken after a charge ended: test/integration/late-outcome.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRecordsFor } from '../support/kafka-reader';
import { standinServiceForSuite } from '../support/standin-suite';
import { STANDIN_TEST_KEY } from '../support/stripe-standin';
import { waitUntil } from '../support/wait';

const OUTCOME_TOPICS = ['payments.completed', 'payments.failed'];

describe("Stripe's truth on the real stack (the Stripe stand-in)", { timeout: 240_000 }, () => {
  const suite = standinServiceForSuite({ chargeDefaults: { amount: 4200, currency: 'eur' } });
  const { charge, statusIs } = suite;
  const newCharge = (fields: object = {}) => suite.newCharge(fields, 'evt-truth');
  const outcomesOf = (eventId: string) =>
    waitUntil(async () => {
      const found = await readRecordsFor(OUTCOME_TOPICS, new Set([eventId]));
      return found.length > 0 ? found : undefined;
    }, `an outcome on Kafka for ${eventId}`);

  it('keeps a browser checkout open after a declined card, and announces only the retry that paid', async () => {
    const eventId = await newCharge();
    const pi = await waitUntil(
      async () => (await charge(eventId)).payment_intent_id ?? undefined,
      `the PaymentIntent of ${eventId}`,
    );

    const declined = await suite.standin.control.confirm(pi, 'pm_card_chargeDeclined');
    assert.equal(declined.payment_intent.status, 'requires_payment_method');
    const waiting = await statusIs(eventId, 'requires_payment_method');
    assert.ok(waiting.failure, 'the record names the last decline');
    assert.match(waiting.failure.code, /declin/);
    assert.deepEqual(await readRecordsFor(OUTCOME_TOPICS, new Set([eventId])), [], 'nothing announced yet');

    const paid = await suite.standin.control.confirm(pi, 'pm_card_visa');
    assert.equal(paid.payment_intent.status, 'succeeded');
    const done = await statusIs(eventId, 'succeeded');
    assert.equal(done.failure, null);
    const outcomes = await outcomesOf(eventId);
    assert.deepEqual(
      outcomes.map((r) => [r.topic, r.value['status'], r.value['amount']]),
      [['payments.completed', 'succeeded', 4200]],
    );
    assert.deepEqual(
      (await suite.standin.control.paymentIntentsFor(eventId)).map((p) => p.status),
      ['succeeded'],
      'one PaymentIntent, paid once',
    );
  });

  it('cancels a declined server-confirmed PaymentIntent at Stripe before it announces the failure', async () => {
    const eventId = await newCharge({ payment_method: 'pm_card_chargeDeclined' });
    const failed = await statusIs(eventId, 'failed');
    assert.ok(failed.failure, 'the record names the decline');
    assert.match(failed.failure.code, /declin/);
    const outcomes = await outcomesOf(eventId);
    assert.deepEqual(
      outcomes.map((r) => [r.topic, r.value['status']]),
      [['payments.failed', 'failed']],
    );
    const intents = await suite.standin.control.paymentIntentsFor(eventId);
    assert.deepEqual(
      intents.map((p) => p.status),
      ['canceled'],
      'the door is closed at Stripe',
    );
    // Another client holding the secret (or an operator) can no longer take money for this order.
    const id = intents[0]?.id ?? '';
    const late = await fetch(`${suite.standin.url}/v1/payment_intents/${id}/confirm`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${STANDIN_TEST_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ payment_method: 'pm_card_visa' }).toString(),
    });
    assert.equal(late.status, 400, 'Stripe refuses to confirm a canceled PaymentIntent');
    assert.deepEqual(
      (await suite.standin.control.paymentIntentsFor(eventId)).map((p) => p.status),
      ['canceled'],
    );
  });

  it('fails a server-confirmed charge whose card needs 3-D Secure when no return_url says the customer is there: off-session, Stripe declines with authentication_required', async () => {
    const eventId = await newCharge({ payment_method: 'pm_card_threeDSecure2Required' });
    const failed = await statusIs(eventId, 'failed');
    assert.equal(failed.failure?.code, 'authentication_required');
    assert.deepEqual(
      (await outcomesOf(eventId)).map((r) => [r.topic, r.value['status']]),
      [['payments.failed', 'failed']],
    );
    assert.deepEqual(
      (await suite.standin.control.paymentIntentsFor(eventId)).map((p) => p.status),
      ['canceled'],
      'never requires_action: the door is closed at Stripe',
    );
  });

  it('asks the customer of a server-confirmed charge with a return_url for 3-D Secure, and announces what the bank decided', async () => {
    const returnUrl = 'https://shop.example/checkout/complete';
    const eventId = await newCharge({
      payment_method: 'pm_card_threeDSecure2Required',
      return_url: returnUrl,
    });
    const waiting = await statusIs(eventId, 'requires_action');
    const pi = waiting.payment_intent_id ?? '';
    const atStripe = (await suite.standin.control.paymentIntentsFor(eventId))[0];
    assert.equal(atStripe?.status, 'requires_action', 'on-session: Stripe asks instead of declining');
    const nextAction = waiting.next_action as { redirect_to_url?: { return_url?: string } } | null;
    assert.equal(nextAction?.redirect_to_url?.return_url, returnUrl, 'GET shows where to send the customer');
    assert.deepEqual(await readRecordsFor(OUTCOME_TOPICS, new Set([eventId])), [], 'nothing announced yet');

    await suite.standin.control.authenticate(pi, 'complete');
    await statusIs(eventId, 'succeeded');
    assert.deepEqual(
      (await outcomesOf(eventId)).map((r) => [r.topic, r.value['status'], r.value['amount']]),
      [['payments.completed', 'succeeded', 4200]],
    );
    assert.deepEqual(
      (await suite.standin.control.paymentIntentsFor(eventId)).map((p) => p.status),
      ['succeeded'],
    );
  });
});
