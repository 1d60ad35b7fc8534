import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, payloadHash } from '../../src/api/charges/payload-hash';

describe('payload hash', () => {
  it('does not depend on key order, at any depth', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
    const one = { event_id: 'e', order_id: 'o', amount: 1, currency: 'usd', metadata: { x: '1', y: '2' } };
    const two = { metadata: { y: '2', x: '1' }, currency: 'usd', amount: 1, order_id: 'o', event_id: 'e' };
    assert.equal(payloadHash(one), payloadHash(two));
  });

  it('changes when any value changes', () => {
    const base = { event_id: 'e', order_id: 'o', amount: 1, currency: 'usd' };
    assert.notEqual(payloadHash(base), payloadHash({ ...base, amount: 2 }));
    assert.notEqual(payloadHash(base), payloadHash({ ...base, description: 'x' }));
  });
});
