import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addRefund,
  decideRefund,
  remaining,
  updateRefund,
  type RefundLedger,
} from '../../src/workflows/refund-ledger';

const T = '2026-01-01T00:00:00.000Z';
const empty: RefundLedger = { chargeAmount: 1000, refunds: [] };

describe('refund ledger', () => {
  it('defaults a refund to the remainder', () => {
    assert.deepEqual(decideRefund(empty, { refund_id: 'a' }), { kind: 'new', amount: 1000, reason: null });
  });

  it('counts pending refunds against the remainder, and frees a failed one', () => {
    let ledger = addRefund(empty, { refund_id: 'a', amount: 700 }, 700, T);
    assert.equal(remaining(ledger), 300);
    assert.equal(decideRefund(ledger, { refund_id: 'b', amount: 301 }).kind, 'exceeds');
    ledger = updateRefund(
      ledger,
      'a',
      { status: 'failed', stripe_refund_id: 're_a', failure: null },
      T,
    ).ledger;
    assert.equal(remaining(ledger), 1000);
  });

  it('recognises a repeat and a conflicting reuse of a refund_id', () => {
    const ledger = addRefund(empty, { refund_id: 'a', amount: 100 }, 100, T);
    assert.equal(decideRefund(ledger, { refund_id: 'a', amount: 100 }).kind, 'duplicate');
    assert.equal(decideRefund(ledger, { refund_id: 'a', amount: 200 }).kind, 'conflict');
  });

  it('never changes a final refund again', () => {
    let ledger = addRefund(empty, { refund_id: 'a', amount: 100 }, 100, T);
    const done = updateRefund(
      ledger,
      'a',
      { status: 'succeeded', stripe_refund_id: 're_a', failure: null },
      T,
    );
    assert.equal(done.becameFinal, true);
    ledger = done.ledger;
    const late = updateRefund(ledger, 'a', { status: 'failed', stripe_refund_id: 're_a', failure: null }, T);
    assert.equal(late.becameFinal, false);
    assert.equal(late.ledger.refunds[0]?.status, 'succeeded');
  });
});
