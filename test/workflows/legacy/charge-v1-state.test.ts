import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargeRequest } from '../../../src/contracts/charge';
import {
  cancelCharge,
  applyPaymentIntent,
  applyStripeEvent,
  initialChargeState,
  statusFromPaymentIntent,
  type ChargeState,
} from '../../../src/workflows/legacy/charge-v1-state';
import type { PaymentEventPayload } from '../../../src/contracts/payment-provider';

const request: ChargeRequest = { event_id: 'evt-1', order_id: 'order-1', amount: 1999, currency: 'usd' };
const T0 = '2026-01-01T00:00:00.000Z';

function created(): ChargeState {
  return applyPaymentIntent(
    initialChargeState(request, T0),
    { id: 'pi_1', status: 'requires_payment_method', failure: null },
    T0,
    false,
  );
}

function event(id: string, type: string, at: number, pi = 'pi_1'): PaymentEventPayload {
  return {
    stripe_event_id: id,
    type,
    created: at,
    payment_intent_id: pi,
    payment_intent_status: 'x',
    failure: type.endsWith('payment_failed')
      ? { code: 'card_declined', message: 'Your card was declined.' }
      : null,
  };
}

describe('charge state', () => {
  it('waits (pending) after creating a PaymentIntent with no payment method', () => {
    assert.equal(created().status, 'pending');
    assert.equal(created().paymentIntentId, 'pi_1');
  });

  it('maps a declined confirmation to failed and a success to succeeded', () => {
    const declined = { code: 'card_declined', message: 'x' };
    assert.equal(statusFromPaymentIntent('requires_payment_method', declined, true), 'failed');
    assert.equal(statusFromPaymentIntent('succeeded', null, true), 'succeeded');
    assert.equal(statusFromPaymentIntent('requires_action', null, true), 'requires_action');
  });

  it('keeps waiting when no confirmation was attempted, whatever stale error the PaymentIntent carries', () => {
    const stale = { code: 'idempotency_error', message: 'old' };
    assert.equal(statusFromPaymentIntent('requires_payment_method', stale, false), 'pending');
    const fresh = initialChargeState(request, T0);
    const state = applyPaymentIntent(
      fresh,
      { id: 'pi_1', status: 'requires_payment_method', failure: stale },
      T0,
      false,
    );
    assert.equal(state.status, 'pending');
    assert.equal(state.failure, null);
  });

  it('applies a success event and records its failure-free outcome', () => {
    const verdict = applyStripeEvent(created(), event('evt_a', 'payment_intent.succeeded', 100), T0);
    assert.equal(verdict.applied, true);
    assert.equal(verdict.state.status, 'succeeded');
    assert.equal(verdict.state.failure, null);
  });

  it('ignores the same Stripe event delivered twice', () => {
    const once = applyStripeEvent(created(), event('evt_a', 'payment_intent.processing', 100), T0).state;
    const twice = applyStripeEvent(once, event('evt_a', 'payment_intent.processing', 100), T0);
    assert.deepEqual(twice, { applied: false, state: once, reason: 'duplicate' });
  });

  it('never moves a final charge backwards', () => {
    const done = applyStripeEvent(created(), event('evt_b', 'payment_intent.succeeded', 200), T0).state;
    const late = applyStripeEvent(done, event('evt_a', 'payment_intent.processing', 100), T0);
    assert.equal(late.applied, false);
    assert.equal(late.state.status, 'succeeded');
  });

  it('ignores an older non-final event that arrives after a newer one', () => {
    const action = applyStripeEvent(created(), event('evt_b', 'payment_intent.processing', 200), T0).state;
    const stale = applyStripeEvent(action, event('evt_a', 'payment_intent.requires_action', 100), T0);
    assert.equal(stale.applied, false);
    assert.equal(stale.applied === false && stale.reason, 'stale');
    assert.equal(stale.state.status, 'processing');
  });

  it('ignores events about another PaymentIntent even when signed by Stripe', () => {
    const verdict = applyStripeEvent(
      created(),
      event('evt_x', 'payment_intent.succeeded', 100, 'pi_other'),
      T0,
    );
    assert.equal(verdict.applied, false);
    assert.equal(verdict.state.status, 'pending');
  });

  it('does not apply an event about other money than the charge asked, nor one in another currency', () => {
    for (const money of [
      { amount: 2000, currency: 'usd' },
      { amount: 1999, currency: 'eur' },
    ]) {
      const verdict = applyStripeEvent(
        created(),
        { ...event('evt_m', 'payment_intent.succeeded', 100), ...money },
        T0,
      );
      assert.equal(verdict.applied, false);
      assert.equal(!verdict.applied && verdict.reason, 'amount_mismatch');
      assert.equal(verdict.state.status, 'pending');
    }
    const same = applyStripeEvent(
      created(),
      { ...event('evt_s', 'payment_intent.succeeded', 100), amount: 1999, currency: 'USD' },
      T0,
    );
    assert.equal(
      same.applied && same.state.status,
      'succeeded',
      'the same money, whatever the case of its code',
    );
  });

  it('ends failed amount_mismatch, never succeeded, when Stripe reports the PaymentIntent with other money', () => {
    const state = applyPaymentIntent(
      created(),
      { id: 'pi_1', status: 'succeeded', failure: null, amount: 199_900, currency: 'usd' },
      T0,
      true,
    );
    assert.equal(state.status, 'failed');
    assert.equal(state.failure?.code, 'amount_mismatch');
    assert.equal(state.failure?.message, 'Stripe reports 1999.00 USD; the charge asked 19.99 USD');
  });

  it('carries the decline into the failed state', () => {
    const verdict = applyStripeEvent(created(), event('evt_f', 'payment_intent.payment_failed', 100), T0);
    assert.equal(verdict.state.status, 'failed');
    assert.deepEqual(verdict.state.failure, { code: 'card_declined', message: 'Your card was declined.' });
  });

  it('cancels an open charge with a reason, and leaves a final one alone', () => {
    const reason = { code: 'requires_action_expired', message: 'x' };
    const canceled = cancelCharge(created(), reason, T0);
    assert.equal(canceled.status, 'canceled');
    assert.deepEqual(canceled.failure, reason);
    const done = applyStripeEvent(created(), event('evt_s', 'payment_intent.succeeded', 1), T0).state;
    assert.equal(cancelCharge(done, reason, T0), done);
  });
});
