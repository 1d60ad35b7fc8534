/**
 * Manual capture in the charge's state machine (charge-state.ts + charge-steps.ts): authorize at order,
 * capture at shipment (all or part), void, and a hold that never expires silently. Pure: no Temporal.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AUTHORIZATION_EXPIRED_CODE,
  DEFAULT_CAPTURE_POLICY,
  DEFAULT_CHARGE_TIMING,
  type CapturePolicy,
  type ChargeRequest,
} from '../../src/contracts/charge';
import type { PaymentEventPayload, PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import {
  holdDeadline,
  initialChargeState,
  onAuthorizedPublished,
  onCanceled,
  onCancelRequested,
  onCaptureRefused,
  onCaptureRequested,
  onCapturedAtStripe,
  onCreated,
  onHoldExpiring,
  onReconciled,
  onStripeEvent,
  toChargeRecord,
  type ChargeState,
} from '../../src/workflows/charge-state';
import { nextStep } from '../../src/workflows/charge-steps';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const NOW = new Date(T0).toISOString();

function manualRequest(amount = 4500): ChargeRequest {
  const id = randomUUID();
  return {
    event_id: `evt-${id}`,
    order_id: `order-${id}`,
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    capture: 'manual',
  };
}

function fresh(policy: CapturePolicy = DEFAULT_CAPTURE_POLICY, amount = 4500): ChargeState {
  return initialChargeState(manualRequest(amount), DEFAULT_CHARGE_TIMING, NOW, policy);
}

const held = (extra: Partial<PaymentIntentOutcome> = {}): PaymentIntentOutcome => ({
  id: 'pi_hold',
  status: 'requires_capture',
  failure: null,
  amount: 4500,
  currency: 'usd',
  amount_capturable: 4500,
  ...extra,
});

function event(type: string, created: number, extra: Partial<PaymentEventPayload> = {}): PaymentEventPayload {
  return {
    stripe_event_id: `evt_${randomUUID()}`,
    type,
    created,
    payment_intent_id: 'pi_hold',
    payment_intent_status: type.replace('payment_intent.', ''),
    failure: null,
    amount: 4500,
    currency: 'usd',
    ...extra,
  };
}

/** Created and authorized (the confirmation answered requires_capture), announced on payments.authorized. */
function authorized(policy?: CapturePolicy, pi: PaymentIntentOutcome = held()): ChargeState {
  return onAuthorizedPublished(onCreated(fresh(policy), pi, NOW, T0));
}

describe('charge state machine: manual capture', () => {
  it('a requires_capture PaymentIntent is an authorized charge, announced once on payments.authorized', () => {
    const state = onCreated(fresh(), held(), NOW, T0);
    assert.equal(state.status, 'authorized');
    assert.equal(state.amountCapturable, 4500);
    assert.deepEqual(nextStep(state, T0), { kind: 'publish_authorized' });
    const after = onAuthorizedPublished(state);
    assert.equal(nextStep(after, T0).kind, 'wait');
  });

  it("takes the hold's expiry from Stripe's capture_before when given", () => {
    const captureBefore = Math.floor((T0 + 5 * 24 * HOUR) / 1000);
    const state = authorized(DEFAULT_CAPTURE_POLICY, held({ capture_before: captureBefore }));
    assert.equal(state.holdExpiresAt, captureBefore * 1000);
    assert.equal(
      toChargeRecord(state).capture?.authorization_expires_at,
      new Date(captureBefore * 1000).toISOString(),
    );
  });

  it("a reconcile that reads capture_before (the create did not have it) moves the hold's expiry to Stripe's", () => {
    const state = authorized();
    const captureBefore = Math.floor((T0 + 3 * 24 * HOUR) / 1000);
    const after = onReconciled(state, held({ capture_before: captureBefore }), NOW, T0 + HOUR);
    assert.equal(after.status, 'authorized');
    assert.equal(after.holdExpiresAt, captureBefore * 1000);
    assert.ok(holdDeadline(after) < holdDeadline(state), 'the margin is kept before the earlier expiry');
  });

  it('without capture_before, assumes the conservative default of 6 days 12 hours', () => {
    const state = authorized();
    assert.equal(state.holdExpiresAt, T0 + (6 * 24 + 12) * HOUR);
    assert.equal(DEFAULT_CAPTURE_POLICY.hold_default_seconds, (6 * 24 + 12) * 3600);
  });

  it("Stripe's payment_intent.amount_capturable_updated authorizes a charge confirmed in the browser", () => {
    const { capture: _c, ...request } = manualRequest();
    const browser = initialChargeState(
      { ...request, payment_method: undefined, capture: 'manual' },
      DEFAULT_CHARGE_TIMING,
      NOW,
      DEFAULT_CAPTURE_POLICY,
    );
    const created = onCreated(browser, { ...held(), status: 'requires_payment_method' }, NOW, T0);
    assert.equal(created.status, 'pending');
    const verdict = onStripeEvent(
      created,
      event('payment_intent.amount_capturable_updated', 100, { amount_capturable: 4000 }),
      NOW,
      T0,
    );
    assert.equal(verdict.state.status, 'authorized');
    assert.equal(verdict.state.amountCapturable, 4000);
  });

  it('an authorized charge is not canceled at the charge deadline: only its hold bounds it', () => {
    const state = authorized();
    const afterDeadline = T0 + DEFAULT_CHARGE_TIMING.reconcile_deadline_seconds * 1000 + 1;
    const step = nextStep(state, afterDeadline);
    assert.notEqual(step.kind, 'expire');
    assert.ok(step.kind === 'reconcile' || step.kind === 'wait', step.kind);
  });

  it('a partial capture ends the charge succeeded for the captured amount', () => {
    const asked = onCaptureRequested(authorized(), 3000);
    assert.deepEqual(nextStep(asked, T0), { kind: 'capture', amount: 3000 });
    const done = onCapturedAtStripe(
      asked,
      held({ status: 'succeeded', amount_capturable: 0, amount_received: 3000 }),
      NOW,
      T0 + HOUR,
    );
    assert.equal(done.status, 'succeeded');
    assert.equal(done.amountCaptured, 3000);
    assert.equal(done.captureAsked, null);
    assert.deepEqual(nextStep(done, T0 + HOUR), { kind: 'publish' });
    const record = toChargeRecord(done);
    assert.equal(record.amount, 4500, 'the amount asked stays');
    assert.equal(record.capture?.amount_captured, 3000);
  });

  it('without an amount, captures everything the hold allows', () => {
    assert.equal(onCaptureRequested(authorized(), undefined).captureAsked, 4500);
  });

  it('a repeated or concurrent capture joins the first: one capture at Stripe', () => {
    const first = onCaptureRequested(authorized(), 3000);
    const second = onCaptureRequested(first, 4500);
    assert.equal(second.captureAsked, 3000);
  });

  it('a succeeded webhook arriving before the capture answer records the amount captured', () => {
    const asked = onCaptureRequested(authorized(), 2500);
    const verdict = onStripeEvent(
      asked,
      event('payment_intent.succeeded', 200, { amount_received: 2500, amount_capturable: 0 }),
      NOW,
      T0,
    );
    assert.equal(verdict.state.status, 'succeeded');
    assert.equal(verdict.state.amountCaptured, 2500);
  });

  it('a capture Stripe refuses makes the charge ask Stripe; a hold gone ends it canceled, expired', () => {
    const refused = onCaptureRefused(onCaptureRequested(authorized(), 4500), {
      code: 'payment_intent_unexpected_state',
      message: 'This PaymentIntent could not be captured because it has a status of canceled.',
    });
    assert.deepEqual(nextStep(refused, T0), { kind: 'reconcile', why: 'capture_refused' });
    const after = onReconciled(refused, held({ status: 'canceled' }), NOW, T0);
    assert.equal(after.status, 'canceled');
    assert.equal(after.failure?.code, AUTHORIZATION_EXPIRED_CODE);
  });

  it('a caller cancel voids the hold at Stripe and ends the charge canceled', () => {
    const asked = onCancelRequested(authorized());
    const step = nextStep(asked, T0);
    assert.equal(step.kind, 'cancel');
    assert.equal(step.kind === 'cancel' && step.intent.reason, 'requested_by_customer');
    const done = onCanceled(asked, held({ status: 'canceled' }), NOW);
    assert.equal(done.status, 'canceled');
    assert.equal(done.failure?.code, 'canceled');
  });

  it('the margin before expiry voids the hold and announces it canceled (default)', () => {
    const state = authorized();
    const actAt = holdDeadline(state);
    assert.equal(actAt, T0 + (6 * 24 + 12 - 6) * HOUR);
    // (Stripe was last asked just before: the next look is after the margin.)
    const waiting = nextStep({ ...state, nextCheckAt: actAt + HOUR }, actAt - 1);
    assert.equal(waiting.kind === 'wait' && waiting.cancelAt, actAt);
    assert.deepEqual(nextStep(state, actAt), { kind: 'expire_hold' });
    const voiding = onHoldExpiring(state);
    const step = nextStep(voiding, actAt);
    assert.equal(step.kind, 'cancel');
    assert.equal(step.kind === 'cancel' && step.intent.failure.code, AUTHORIZATION_EXPIRED_CODE);
    const done = onCanceled(voiding, held({ status: 'canceled' }), NOW);
    assert.equal(done.status, 'canceled');
    assert.match(done.failure?.message ?? '', /expires at 2026-12-07T22:00:00.000Z/);
  });

  it('an operator may configure the expiry to capture the whole hold instead', () => {
    const state = authorized({ ...DEFAULT_CAPTURE_POLICY, on_expiry: 'capture' });
    const capturing = onHoldExpiring(state);
    assert.deepEqual(nextStep(capturing, holdDeadline(state)), { kind: 'capture', amount: 4500 });
  });

  it("Stripe's own payment_intent.canceled coming first ends the charge canceled, the hold expired", () => {
    const verdict = onStripeEvent(authorized(), event('payment_intent.canceled', 300), NOW, T0);
    assert.equal(verdict.state.status, 'canceled');
    assert.equal(verdict.state.failure?.code, AUTHORIZATION_EXPIRED_CODE);
    assert.deepEqual(nextStep(verdict.state, T0), { kind: 'publish' });
  });

  it("Stripe's charge.expired coming first does the same, and the payment_intent.canceled after it changes nothing", () => {
    const verdict = onStripeEvent(authorized(), event('charge.expired', 300), NOW, T0);
    assert.equal(verdict.state.status, 'canceled');
    assert.equal(verdict.state.failure?.code, AUTHORIZATION_EXPIRED_CODE);
    const after = onStripeEvent(verdict.state, event('payment_intent.canceled', 300), NOW, T0);
    assert.equal(after.applied, false);
    assert.deepEqual(nextStep(after.state, T0), { kind: 'publish' });
  });

  it('an automatic charge carries no capture state and no capture in its record', () => {
    const state = initialChargeState(
      { event_id: 'evt-a', order_id: 'order-a', amount: 1999, currency: 'usd' },
      DEFAULT_CHARGE_TIMING,
      NOW,
    );
    assert.equal(state.capturePolicy, null);
    assert.equal('capture' in toChargeRecord(state), false);
    assert.equal(onCaptureRequested(state, 100).captureAsked, null);
  });
});
