import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KnownCharges } from '../../src/api/charges/known-charges';

describe('KnownCharges', () => {
  it('remembers ids up to its capacity, forgetting the least recently seen first', () => {
    const known = new KnownCharges(2);
    known.remember('a');
    known.remember('b');
    known.remember('a'); // seen again: b is now the oldest
    known.remember('c');
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => known.has(id)),
      [true, false, true],
    );
  });

  it('forgets an id on request', () => {
    const known = new KnownCharges(10);
    known.remember('a');
    known.forget('a');
    assert.equal(known.has('a'), false);
  });

  it('remembers nothing with capacity 0 and refuses a negative or fractional capacity', () => {
    const known = new KnownCharges(0);
    known.remember('a');
    assert.equal(known.has('a'), false);
    assert.throws(() => new KnownCharges(-1), RangeError);
    assert.throws(() => new KnownCharges(1.5), RangeError);
  });
});
