/**
 * The refunds workflow's decisions about its charge: what Stripe's PaymentIntent says when the
 * ChargeWorkflow is no longer retained, and whether a refund request is taken, held or refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargeRecord } from '../../src/contracts/charge';
import type { PaymentIntentOutcome } from '../../src/contracts/payment-provider';
import {
  CHARGE_LOOKUP_FAILED,
  CHARGE_NOT_FOUND,
  CHARGE_NOT_REFUNDABLE,
  REFUND_AMOUNT_NOT_ACCEPTED,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_ID_CONFLICT,
  REFUND_WINDOW_CLOSED,
} from '../../src/contracts/refund';
import {
  chargeFromRecord,
  chargeFromStripe,
  judgeRefund,
  type ChargeKnowledge,
} from '../../src/workflows/refund-charge';
import { addRefund, type RefundLedger } from '../../src/workflows/refund-ledger';

const DAY = 86_400;
const WINDOW = 180 * DAY;
const CREATED = 1_760_000_000; // unix seconds
const T = '2026-01-01T00:00:00.000Z';

function paymentIntent(overrides: Partial<PaymentIntentOutcome> = {}): PaymentIntentOutcome {
  return {
    id: 'pi_found',
    status: 'succeeded',
    failure: null,
    amount: 5_000,
    currency: 'eur',
    created: CREATED,
    metadata: { event_id: 'evt-1', order_id: 'order-1' },
    ...overrides,
  };
}

describe('the charge from Stripe, once its workflow is gone', () => {
  it('is refundable for the amount of a succeeded PaymentIntent, with the order from its metadata', () => {
    assert.deepEqual(chargeFromStripe('evt-1', paymentIntent(), WINDOW), {
      kind: 'refundable',
      charge: {
        event_id: 'evt-1',
        order_id: 'order-1',
        payment_intent_id: 'pi_found',
        amount: 5_000,
        currency: 'eur',
      },
      closesAt: (CREATED + WINDOW) * 1000,
    });
  });

  it('is refundable for what was captured of a manual-capture PaymentIntent, not for the hold', () => {
    const found = chargeFromStripe('evt-1', paymentIntent({ amount: 5_000, amount_received: 3_200 }), WINDOW);
    assert.equal(found.kind === 'refundable' && found.charge.amount, 3_200);
  });

  it('counts the window from the PaymentIntent creation: never later than from the success', () => {
    const found = chargeFromStripe('evt-1', paymentIntent({ created: CREATED }), 60);
    assert.equal(found.kind === 'refundable' && found.closesAt, (CREATED + 60) * 1000);
  });

  it('takes an undated PaymentIntent as past its window (it cannot be dated, so no window is promised)', () => {
    const { created: _created, ...undated } = paymentIntent();
    const found = chargeFromStripe('evt-1', undated, WINDOW);
    assert.equal(found.kind === 'refundable' && found.closesAt, -Infinity);
  });

  it('is not found when Stripe has no PaymentIntent for the event_id', () => {
    assert.deepEqual(chargeFromStripe('evt-1', null, WINDOW), { kind: 'not_found' });
  });

  for (const status of ['requires_payment_method', 'requires_capture', 'processing', 'canceled']) {
    it(`is not refundable while the PaymentIntent is ${status}`, () => {
      assert.deepEqual(chargeFromStripe('evt-1', paymentIntent({ status }), WINDOW), {
        kind: 'not_succeeded',
        status,
      });
    });
  }

  it('is a failed look-up when Stripe names no amount or currency', () => {
    const { currency: _currency, ...nameless } = paymentIntent();
    assert.equal(chargeFromStripe('evt-1', nameless, WINDOW).kind, 'lookup_failed');
  });
});

describe('the charge from its record (the ChargeWorkflow retained)', () => {
  const record: ChargeRecord = {
    event_id: 'evt-2',
    order_id: 'order-2',
    status: 'succeeded',
    amount: 900,
    currency: 'usd',
    payment_intent_id: 'pi_2',
    failure: null,
    updated_at: T,
  };
  it('is refundable when succeeded, and names why not otherwise', () => {
    assert.deepEqual(chargeFromRecord(record, 42), {
      kind: 'refundable',
      charge: {
        event_id: 'evt-2',
        order_id: 'order-2',
        payment_intent_id: 'pi_2',
        amount: 900,
        currency: 'usd',
      },
      closesAt: 42,
    });
    assert.deepEqual(chargeFromRecord({ ...record, status: 'failed' }, 42), {
      kind: 'not_succeeded',
      status: 'failed',
    });
  });
});

describe('judging a refund request', () => {
  const NOW = 1_000_000;
  const refundable = (currency = 'eur', closesAt = NOW + 1): ChargeKnowledge => ({
    kind: 'refundable',
    charge: { event_id: 'e', order_id: 'o', payment_intent_id: 'pi', amount: 1_000, currency },
    closesAt,
  });
  const empty: RefundLedger = { chargeAmount: 1_000, refunds: [] };
  const typeOf = (v: ReturnType<typeof judgeRefund>) => (v.kind === 'refuse' ? v.type : v.kind);

  it('holds every request while Stripe is being asked (nothing can be decided yet)', () => {
    assert.deepEqual(judgeRefund({ kind: 'looking_up' }, empty, { refund_id: 'a', amount: 1 }, NOW), {
      kind: 'wait',
    });
  });

  it('refuses with the failure type the gateway maps: 404 not found, 409 not succeeded, 503 look-up refused', () => {
    const request = { refund_id: 'a' };
    assert.equal(typeOf(judgeRefund({ kind: 'not_found' }, empty, request, NOW)), CHARGE_NOT_FOUND);
    assert.equal(
      typeOf(judgeRefund({ kind: 'not_succeeded', status: 'canceled' }, empty, request, NOW)),
      CHARGE_NOT_REFUNDABLE,
    );
    assert.equal(
      typeOf(judgeRefund({ kind: 'lookup_failed', message: 'x' }, empty, request, NOW)),
      CHARGE_LOOKUP_FAILED,
    );
  });

  it('takes a new refund within the window, for the remainder when no amount is given', () => {
    assert.deepEqual(judgeRefund(refundable(), empty, { refund_id: 'a' }, NOW), {
      kind: 'new',
      amount: 1_000,
      reason: null,
    });
  });

  it('refuses a new refund from the instant the window closes, but answers a repeat of an earlier one', () => {
    const ledger = addRefund(empty, { refund_id: 'a', amount: 100 }, 100, T);
    const closed = refundable('eur', NOW);
    assert.equal(
      typeOf(judgeRefund(closed, ledger, { refund_id: 'b', amount: 100 }, NOW)),
      REFUND_WINDOW_CLOSED,
    );
    assert.equal(typeOf(judgeRefund(closed, ledger, { refund_id: 'a', amount: 100 }, NOW)), 'duplicate');
  });

  it('refuses over the remainder and a refund_id reused with another body', () => {
    const ledger = addRefund(empty, { refund_id: 'a', amount: 700 }, 700, T);
    assert.equal(
      typeOf(judgeRefund(refundable(), ledger, { refund_id: 'b', amount: 301 }, NOW)),
      REFUND_EXCEEDS_REMAINDER,
    );
    assert.equal(typeOf(judgeRefund(refundable(), ledger, { refund_id: 'b', amount: 300 }, NOW)), 'new');
    assert.equal(
      typeOf(judgeRefund(refundable(), ledger, { refund_id: 'a', amount: 300 }, NOW)),
      REFUND_ID_CONFLICT,
    );
  });

  it("refuses an amount Stripe does not take in the charge's currency, known only once Stripe named it", () => {
    assert.equal(
      typeOf(judgeRefund(refundable('isk'), empty, { refund_id: 'a', amount: 150 }, NOW)),
      REFUND_AMOUNT_NOT_ACCEPTED,
    );
    assert.equal(typeOf(judgeRefund(refundable('isk'), empty, { refund_id: 'a', amount: 100 }, NOW)), 'new');
    assert.equal(typeOf(judgeRefund(refundable('eur'), empty, { refund_id: 'a', amount: 150 }, NOW)), 'new');
  });

  it('never lets two requests spend the same remainder when each is judged after the one before is recorded', () => {
    let ledger = empty;
    const taken: number[] = [];
    for (const id of ['a', 'b', 'c']) {
      const verdict = judgeRefund(refundable(), ledger, { refund_id: id, amount: 400 }, NOW);
      if (verdict.kind !== 'new') continue;
      ledger = addRefund(ledger, { refund_id: id, amount: 400 }, verdict.amount, T);
      taken.push(verdict.amount);
    }
    assert.deepEqual(taken, [400, 400]);
  });
});
