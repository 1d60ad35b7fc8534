/** The search query language as PaymentIntent searches use it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StripeApiError } from '../../../tools/stripe-standin/http/stripe-errors';
import { matches, parseSearchQuery } from '../../../tools/stripe-standin/search';
import type { PaymentIntentRecord } from '../../../tools/stripe-standin/state/model';

const pi = (over: Partial<PaymentIntentRecord>): PaymentIntentRecord =>
  ({
    amount: 1000,
    currency: 'usd',
    status: 'succeeded',
    customer: null,
    created: 100,
    metadata: {},
    ...over,
  }) as PaymentIntentRecord;

describe('stripe-standin: search queries', () => {
  it("finds by metadata['event_id'] as the service asks", () => {
    const query = parseSearchQuery("metadata['event_id']:'evt-1'");
    assert.ok(matches(query, pi({ metadata: { event_id: 'evt-1' } })));
    assert.ok(!matches(query, pi({ metadata: { event_id: 'evt-10' } })));
    assert.ok(!matches(query, pi({})));
  });

  it('joins clauses with AND or OR, negates with -, compares amounts', () => {
    const both = parseSearchQuery("status:'succeeded' AND amount>=1000 AND -currency:'eur'");
    assert.ok(matches(both, pi({})));
    assert.ok(!matches(both, pi({ amount: 999 })));
    const either = parseSearchQuery('status:"canceled" OR metadata["order_id"]~"ord"');
    assert.ok(matches(either, pi({ metadata: { order_id: 'order-7' } })));
    assert.ok(!matches(either, pi({})));
  });

  it('refuses what Stripe refuses: AND with OR, unknown fields, metadata without a key', () => {
    for (const bad of ["status:'a' AND status:'b' OR status:'c'", "colour:'red'", "metadata:'x'", '']) {
      assert.throws(
        () => parseSearchQuery(bad),
        (err: unknown) => err instanceof StripeApiError && err.status === 400,
        bad,
      );
    }
  });
});
