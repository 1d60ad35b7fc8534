/** The test-mode rate limit: a sliding one-second window over the requests it accepted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindowLimit } from '../../../../tools/stripe-standin/http/rate-limit';

describe('stripe-standin: the rate limit', () => {
  it('admits 25 requests in any second and refuses the 26th', () => {
    const limit = new SlidingWindowLimit(25);
    const admitted = Array.from({ length: 30 }, (_, i) => limit.admit(1000 + i));
    assert.equal(admitted.filter(Boolean).length, 25);
    assert.equal(admitted[25], false);
  });

  it('admits again once the oldest accepted request is a second old, whatever the refusals', () => {
    const limit = new SlidingWindowLimit(2);
    assert.ok(limit.admit(0));
    assert.ok(limit.admit(500));
    assert.equal(limit.admit(900), false);
    assert.equal(limit.admit(999), false);
    assert.ok(limit.admit(1000));
    assert.equal(limit.admit(1400), false);
    assert.ok(limit.admit(1500));
  });

  it('admits everything when switched off (null)', () => {
    const limit = new SlidingWindowLimit(null);
    assert.ok(Array.from({ length: 1000 }, () => limit.admit(0)).every(Boolean));
  });
});
