import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeWorkflowId, paymentIntentIdempotencyKey } from '../src/contracts/charge';
import { formatAmount } from '../src/contracts/currency';
import { paymentEventMessageId } from '../src/contracts/payment-event';
import { eventIdOfWorkflowId, refundsWorkflowId } from '../src/contracts/workflow-ids';

describe('contracts', () => {
  it('derives the workflow id and the idempotency key from event_id alone', () => {
    assert.equal(chargeWorkflowId('evt-42'), 'charge-evt-42');
    assert.equal(paymentIntentIdempotencyKey('evt-42'), 'payments:create-payment-intent:evt-42');
    assert.notEqual(paymentIntentIdempotencyKey('evt-42'), paymentIntentIdempotencyKey('evt-43'));
  });

  it('reads the event_id back from a charge or refunds workflow id, and from nothing else', () => {
    for (const eventId of ['evt-42', 'order-7-attempt-2', 'x']) {
      assert.equal(eventIdOfWorkflowId(chargeWorkflowId(eventId)), eventId);
      assert.equal(eventIdOfWorkflowId(refundsWorkflowId(eventId)), eventId);
    }
    assert.equal(refundsWorkflowId('evt-42'), 'refunds-evt-42');
    for (const other of ['charge-', 'dispute-dp_1', 'evt-42', 'charges-evt-42']) {
      assert.equal(eventIdOfWorkflowId(other), undefined, other);
    }
  });

  it('keeps the first key for generation 1 and marks a later generation in the key', () => {
    assert.equal(paymentIntentIdempotencyKey('evt-42', 1), 'payments:create-payment-intent:evt-42');
    assert.equal(paymentIntentIdempotencyKey('evt-42', 2), 'payments:create-payment-intent:evt-42:g2');
  });

  it('gives the same message id to the same outcome of the same charge', () => {
    assert.equal(paymentEventMessageId('e', 'succeeded'), 'charge:e:succeeded');
    assert.notEqual(paymentEventMessageId('e', 'succeeded'), paymentEventMessageId('e', 'failed'));
  });

  it("writes amounts in the currency's own minor unit", () => {
    assert.equal(formatAmount(1999, 'usd'), '19.99 USD');
    assert.equal(formatAmount(5, 'eur'), '0.05 EUR');
    assert.equal(formatAmount(500, 'jpy'), '500 JPY');
    assert.equal(formatAmount(1999, 'jpy'), '1999 JPY', 'zero-decimal: 1999 JPY is ¥1,999');
    assert.equal(formatAmount(1990, 'kwd'), '1.990 KWD', 'three-decimal');
    assert.equal(formatAmount(50, 'kwd'), '0.050 KWD');
    assert.equal(formatAmount(1234, 'kwd'), '1.234 KWD');
  });
});
