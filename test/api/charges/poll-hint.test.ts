/**
 * The storefront's poll hint: while a charge waits its turn at Stripe, POST /charge's 202 and GET
 * /charges/:event_id carry a Retry-After of half the time the Stripe queue ahead of it takes to
 * drain (1 to 30 s), so a storefront reads a queued charge a few times instead of once a second.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  MAX_POLL_AFTER_SECONDS,
  MIN_POLL_AFTER_SECONDS,
  pollAfterSeconds,
} from '../../../src/api/charges/poll-hint';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

describe('pollAfterSeconds', () => {
  it('is half the time the queue takes to drain at the fleet rate', () => {
    assert.equal(pollAfterSeconds({ waiting: 200, dispatchedPerSecond: 0 }, 20), 5);
    assert.equal(pollAfterSeconds({ waiting: 201, dispatchedPerSecond: 0 }, 20), 6, 'rounded up');
  });

  it('drains at the observed rate when Temporal hands out more than this role assumes', () => {
    assert.equal(pollAfterSeconds({ waiting: 800, dispatchedPerSecond: 80 }, 20), 5);
    assert.equal(
      pollAfterSeconds({ waiting: 800, dispatchedPerSecond: 3 }, 20),
      20,
      'never slower than the budget',
    );
  });

  it('is the shortest hint with no queue, an unknown queue or a tiny one, and never longer than the cap', () => {
    assert.equal(pollAfterSeconds(undefined, 20), MIN_POLL_AFTER_SECONDS);
    assert.equal(pollAfterSeconds({ waiting: 0, dispatchedPerSecond: 25 }, 20), MIN_POLL_AFTER_SECONDS);
    assert.equal(pollAfterSeconds({ waiting: 3, dispatchedPerSecond: 0 }, 20), MIN_POLL_AFTER_SECONDS);
    assert.equal(pollAfterSeconds({ waiting: 100_000, dispatchedPerSecond: 20 }, 20), MAX_POLL_AFTER_SECONDS);
  });

  it('lets a storefront that follows it reach the end of a 150-second queue in a handful of reads', () => {
    // Each read waits half of what is left before the charge's turn (the queue ahead of it drains).
    let ahead = 150 * 20;
    let reads = 0;
    while (ahead > 0) {
      reads++;
      ahead -= pollAfterSeconds({ waiting: ahead, dispatchedPerSecond: 20 }, 20) * 20;
    }
    assert.ok(reads <= 12, `${reads} reads, not 150`);
  });
});

describe('the poll hint on the charge API', () => {
  let t: TestApp;
  let hint = 7;
  before(async () => {
    t = await buildTestApp([], { pollAfterSeconds: () => hint });
  });
  after(() => t.app.close());

  const newCharge = () => {
    const id = randomUUID();
    return { event_id: `evt-hint-${id}`, order_id: `order-hint-${id}`, amount: 1999, currency: 'usd' };
  };

  it("answers a new charge's 202 with the hint, and GET while the charge has no PaymentIntent", async () => {
    const charge = newCharge();
    hint = 7;
    const accepted = await t.app.inject({ method: 'POST', url: '/charge', payload: charge, headers: auth });
    assert.equal(accepted.statusCode, 202);
    assert.equal(accepted.headers['retry-after'], '7');
    hint = 4;
    const read = await t.app.inject({ method: 'GET', url: `/charges/${charge.event_id}`, headers: auth });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json<{ payment_intent_id: unknown }>().payment_intent_id, null);
    assert.equal(read.headers['retry-after'], '4');
  });

  it('gives no hint once the PaymentIntent exists: the answer has what the storefront polls for', async () => {
    const charge = newCharge();
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/charge', payload: charge, headers: auth })).statusCode,
      202,
    );
    t.charges.paymentIntents.set(charge.event_id, `pi_${randomUUID().replaceAll('-', '')}`);
    const read = await t.app.inject({ method: 'GET', url: `/charges/${charge.event_id}`, headers: auth });
    assert.equal(read.statusCode, 200);
    assert.equal(typeof read.json<{ client_secret: unknown }>().client_secret, 'string');
    assert.equal(read.headers['retry-after'], undefined);
  });
});
