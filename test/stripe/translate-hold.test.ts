/**
 * The one translation from Stripe's objects (src/stripe/translate.ts), for manual capture: a held
 * PaymentIntent's capturable amount, captured amount and the card's capture_before reach the
 * workflow; an automatic PaymentIntent's outcome carries none of them (its results stay as recorded).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Stripe from 'stripe';
import { paymentIntentOutcomeOf, routeStripeEvent } from '../../src/stripe/translate';

const CAPTURE_BEFORE = 1_796_659_200;

function paymentIntent(extra: Record<string, unknown>): Stripe.PaymentIntent {
  return {
    id: 'pi_hold',
    object: 'payment_intent',
    status: 'requires_capture',
    amount: 4500,
    currency: 'usd',
    amount_capturable: 4500,
    amount_received: 0,
    capture_method: 'manual',
    last_payment_error: null,
    metadata: { event_id: 'evt-1', order_id: 'order-1' },
    latest_charge: 'ch_1',
    ...extra,
  } as unknown as Stripe.PaymentIntent;
}

describe('Stripe translation: manual capture', () => {
  it('reads the hold of a manual PaymentIntent, with capture_before from its expanded charge', () => {
    const outcome = paymentIntentOutcomeOf(
      paymentIntent({
        latest_charge: { id: 'ch_1', payment_method_details: { card: { capture_before: CAPTURE_BEFORE } } },
      }),
    );
    assert.equal(outcome.status, 'requires_capture');
    assert.equal(outcome.amount_capturable, 4500);
    assert.equal(outcome.amount_received, 0);
    assert.equal(outcome.capture_before, CAPTURE_BEFORE);
  });

  it('leaves capture_before out when the charge is not expanded (the workflow then assumes its default)', () => {
    const outcome = paymentIntentOutcomeOf(paymentIntent({}));
    assert.equal('capture_before' in outcome, false);
    assert.equal(outcome.amount_capturable, 4500);
  });

  it('adds nothing to an automatic PaymentIntent', () => {
    const outcome = paymentIntentOutcomeOf(
      paymentIntent({ capture_method: 'automatic', status: 'succeeded' }),
    );
    assert.deepEqual(outcome, {
      id: 'pi_hold',
      status: 'succeeded',
      failure: null,
      amount: 4500,
      currency: 'usd',
    });
  });

  it('carries the hold on payment_intent.amount_capturable_updated to the charge', () => {
    const routed = routeStripeEvent({
      id: 'evt_stripe_1',
      object: 'event',
      type: 'payment_intent.amount_capturable_updated',
      created: 100,
      data: { object: paymentIntent({ amount_capturable: 4000 }) },
    } as unknown as Stripe.Event);
    assert.equal(routed.kind, 'charge');
    assert.equal(routed.kind === 'charge' && routed.payload.amount_capturable, 4000);
    assert.equal(routed.kind === 'charge' && routed.payload.payment_intent_status, 'requires_capture');
  });

  it('routes charge.expired (an uncaptured hold that lapsed) to its charge as a cancel, by the metadata Stripe copies onto the Charge', () => {
    const routed = routeStripeEvent({
      id: 'evt_stripe_expired',
      object: 'event',
      type: 'charge.expired',
      created: 200,
      data: {
        object: {
          id: 'ch_1',
          object: 'charge',
          amount: 4500,
          currency: 'USD',
          payment_intent: 'pi_hold',
          metadata: { event_id: 'evt-order-7', order_id: 'order-7' },
        },
      },
    } as unknown as Stripe.Event);
    assert.deepEqual(routed, {
      kind: 'charge',
      eventId: 'evt-order-7',
      orderId: 'order-7',
      payload: {
        stripe_event_id: 'evt_stripe_expired',
        type: 'charge.expired',
        created: 200,
        payment_intent_id: 'pi_hold',
        payment_intent_status: 'canceled',
        failure: null,
        amount: 4500,
        currency: 'usd',
      },
    });
  });

  it('ignores a charge.expired without our metadata', () => {
    const routed = routeStripeEvent({
      id: 'evt_x',
      object: 'event',
      type: 'charge.expired',
      created: 200,
      data: {
        object: {
          id: 'ch_2',
          object: 'charge',
          amount: 1,
          currency: 'usd',
          payment_intent: 'pi_x',
          metadata: {},
        },
      },
    } as unknown as Stripe.Event);
    assert.deepEqual(routed, { kind: 'ignored', reason: 'not_ours' });
  });
});
