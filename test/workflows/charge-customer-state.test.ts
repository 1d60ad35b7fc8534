/**
 * What the customer's browser needs, in the charge's state machine (charge-state.ts): the
 * PaymentIntent's client_secret and next_action are kept from what Stripe says (the create, a
 * retrieve, a lookup, an applied event), and the record the workflow answers the gateway with
 * (toCallerRecord) carries them exactly while the charge awaits the customer; the record it returns,
 * answers cancels and captures with and publishes (toChargeRecord) never does. A charge started before
 * the secret was kept is told apart (needsClientSecretRead) and filled in once (onClientSecretRead)
 * without its status moving. Pure: no Temporal.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { awaitsCustomer, DEFAULT_CHARGE_TIMING, type ChargeRequest } from '../../src/contracts/charge';
import type { PaymentEventPayload, PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import {
  initialChargeState,
  needsClientSecretRead,
  onCanceled,
  onCancelRequested,
  onClientSecretRead,
  onCreated,
  onCreateRefused,
  onPaymentIntent,
  onReconciled,
  onStripeEvent,
  toCallerRecord,
  toChargeRecord,
  type ChargeState,
} from '../../src/workflows/charge-state';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const NOW = new Date(T0).toISOString();
const PI = 'pi_customer';
const SECRET = `${PI}_secret_stateTEST`;
const REDIRECT = {
  type: 'redirect_to_url',
  redirect_to_url: { url: `https://hooks.stripe.com/3d_secure_2/hosted?c=${SECRET}`, return_url: null },
};

function browserRequest(extra: Partial<ChargeRequest> = {}): ChargeRequest {
  const id = randomUUID();
  return { event_id: `evt-${id}`, order_id: `order-${id}`, amount: 1999, currency: 'usd', ...extra };
}

const fresh = (extra: Partial<ChargeRequest> = {}): ChargeState =>
  initialChargeState(browserRequest(extra), DEFAULT_CHARGE_TIMING, NOW);

const pi = (extra: Partial<PaymentIntentOutcome> = {}): PaymentIntentOutcome => ({
  id: PI,
  status: 'requires_payment_method',
  failure: null,
  amount: 1999,
  currency: 'usd',
  client_secret: SECRET,
  next_action: null,
  ...extra,
});

let created = 100;
const event = (type: string, extra: Partial<PaymentEventPayload> = {}): PaymentEventPayload => ({
  stripe_event_id: `evt_${randomUUID()}`,
  type,
  created: created++,
  payment_intent_id: PI,
  payment_intent_status: type.replace('payment_intent.', ''),
  failure: null,
  amount: 1999,
  currency: 'usd',
  client_secret: SECRET,
  next_action: null,
  ...extra,
});

const apply = (state: ChargeState, e: PaymentEventPayload) => onStripeEvent(state, e, NOW, T0);

describe('the charge state keeps what the customer needs from what Stripe says', () => {
  it('before the PaymentIntent: the caller record says null for both; nothing to read', () => {
    const state = fresh();
    const record = toCallerRecord(state);
    assert.equal(record.client_secret, null);
    assert.equal(record.next_action, null);
    assert.equal(needsClientSecretRead(state), false);
  });

  it("the create's client_secret: a browser charge's caller record carries it, its result never", () => {
    const state = onCreated(fresh(), pi(), NOW, T0);
    assert.equal(state.status, 'pending');
    assert.equal(toCallerRecord(state).client_secret, SECRET);
    assert.equal(toCallerRecord(state).next_action, null);
    assert.equal('client_secret' in toChargeRecord(state), false);
    assert.equal('next_action' in toChargeRecord(state), false);
    assert.equal(needsClientSecretRead(state), false);
  });

  it("a server-confirmed create that needs 3-D Secure: requires_action with Stripe's next_action as it is", () => {
    const state = onCreated(
      fresh({ payment_method: 'pm_card_threeDSecure2Required' }),
      pi({ status: 'requires_action', next_action: REDIRECT }),
      NOW,
      T0,
    );
    assert.equal(state.status, 'requires_action');
    assert.deepEqual(toCallerRecord(state).next_action, REDIRECT);
    assert.equal(toCallerRecord(state).client_secret, SECRET);
  });

  it('a requires_action event brings the next_action; a payment_failed event (Stripe clears it) clears it', () => {
    let state = onCreated(fresh(), pi(), NOW, T0);
    state = apply(state, event('payment_intent.requires_action', { next_action: REDIRECT })).state;
    assert.equal(state.status, 'requires_action');
    assert.deepEqual(toCallerRecord(state).next_action, REDIRECT);
    const declined = { code: 'card_declined', message: 'declined' };
    state = apply(
      state,
      event('payment_intent.payment_failed', { failure: declined, next_action: null }),
    ).state;
    assert.equal(state.status, 'requires_payment_method');
    assert.equal(toCallerRecord(state).next_action, null);
    assert.equal(toCallerRecord(state).client_secret, SECRET, 'the same secret, for another card');
  });

  it('an event not applied (stale, duplicate, another PaymentIntent) changes nothing the customer sees', () => {
    let state = onCreated(fresh(), pi(), NOW, T0);
    const action = event('payment_intent.requires_action', { next_action: REDIRECT });
    state = apply(state, action).state;
    const stale = apply(state, event('payment_intent.payment_failed', { created: 1, next_action: null }));
    assert.equal(stale.applied, false);
    assert.deepEqual(stale.state.nextAction, REDIRECT);
    const other = apply(
      state,
      event('payment_intent.requires_action', {
        payment_intent_id: 'pi_other',
        client_secret: 'pi_other_secret_x',
        next_action: { type: 'use_stripe_sdk' },
      }),
    );
    assert.equal(other.applied, false);
    assert.equal(other.state.clientSecret, SECRET);
    assert.deepEqual(other.state.nextAction, REDIRECT);
  });

  it('an event that came before the create answered is applied after it, next_action included', () => {
    const early = apply(fresh(), event('payment_intent.requires_action', { next_action: REDIRECT }));
    assert.equal(early.applied, false);
    const state = onCreated(early.state, pi(), NOW, T0);
    assert.equal(state.status, 'requires_action');
    assert.deepEqual(toCallerRecord(state).next_action, REDIRECT);
  });

  it("a reconciliation's retrieve and an adopted PaymentIntent (lookup) bring them too", () => {
    const lookedUp = onPaymentIntent(
      fresh(),
      pi({ status: 'requires_action', next_action: REDIRECT }),
      NOW,
      T0,
    );
    assert.equal(toCallerRecord(lookedUp).client_secret, SECRET);
    assert.deepEqual(toCallerRecord(lookedUp).next_action, REDIRECT);
    const reconciled = onReconciled(lookedUp, pi({ status: 'requires_payment_method' }), NOW, T0 + 1);
    assert.equal(reconciled.status, 'pending');
    assert.equal(toCallerRecord(reconciled).next_action, null);
  });

  for (const [what, move] of [
    ['processing', (s: ChargeState) => apply(s, event('payment_intent.processing')).state],
    ['succeeded', (s: ChargeState) => apply(s, event('payment_intent.succeeded')).state],
    ['canceled', (s: ChargeState) => onCanceled(onCancelRequested(s), pi({ status: 'canceled' }), NOW)],
  ] as const) {
    it(`${what}: no client_secret or next_action in any record once the charge no longer awaits the customer`, () => {
      const state = move(onCreated(fresh(), pi(), NOW, T0));
      assert.equal(state.status, what);
      assert.equal(awaitsCustomer(state.status), false);
      for (const record of [toCallerRecord(state), toChargeRecord(state)]) {
        assert.equal('client_secret' in record, false);
        assert.equal('next_action' in record, false);
        assert.doesNotMatch(JSON.stringify(record), /_secret_/);
      }
      assert.equal(needsClientSecretRead(state), false);
    });
  }
});

describe('a charge started before the workflow kept the client_secret', () => {
  // Its create's result, as recorded then, carried neither field.
  const { client_secret: _s, next_action: _n, ...recordedThen } = pi();

  it('is told apart: awaiting the customer, a PaymentIntent, no secret; its caller record has no client_secret key', () => {
    const state = onCreated(fresh(), recordedThen, NOW, T0);
    assert.equal(needsClientSecretRead(state), true);
    assert.equal('client_secret' in toCallerRecord(state), false);
  });

  it('an event recorded without them says nothing about them (a signal from before)', () => {
    let state = onCreated(fresh(), pi({ next_action: REDIRECT, status: 'requires_action' }), NOW, T0);
    const { client_secret: _c, next_action: _a, ...oldEvent } = event('payment_intent.processing');
    state = apply(state, { ...oldEvent, type: 'payment_intent.requires_action' }).state;
    assert.deepEqual(state.nextAction, REDIRECT);
  });

  it("the read fills in the secret and next_action, and only them: the status stays the loop's", () => {
    const before = onCreated(fresh(), recordedThen, NOW, T0);
    const after = onClientSecretRead(before, pi({ status: 'requires_action', next_action: REDIRECT }));
    assert.equal(after.status, before.status);
    assert.equal(after.updatedAt, before.updatedAt);
    assert.equal(after.nextCheckAt, before.nextCheckAt);
    assert.equal(toCallerRecord(after).client_secret, SECRET);
    assert.deepEqual(toCallerRecord(after).next_action, REDIRECT);
    assert.equal(needsClientSecretRead(after), false);
  });

  it('a read of another PaymentIntent, or once the secret is held, changes nothing', () => {
    const before = onCreated(fresh(), recordedThen, NOW, T0);
    assert.equal(onClientSecretRead(before, pi({ id: 'pi_other' })), before);
    const held = onClientSecretRead(before, pi());
    assert.equal(onClientSecretRead(held, pi({ client_secret: 'pi_customer_secret_other' })), held);
  });

  it('a browser create refused with a PaymentIntent (no secret in the refusal) needs the read too', () => {
    const state = onCreateRefused(fresh(), { code: 'card_declined', message: 'declined' }, PI, NOW, T0);
    assert.equal(state.status, 'requires_payment_method');
    assert.equal(needsClientSecretRead(state), true);
  });
});
