/**
 * GATEWAY_MAX_READS_PER_SECOND: a gateway answers at most that many charge reads a second; the rest
 * are refused at once with 503 busy and Retry-After: 1 (a storefront polls again), and POST /charge
 * is never refused for it, so polling cannot starve the taking of charges.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ReadLimit } from '../../src/api/read-limit';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

describe('the read limit', () => {
  it('admits one second of reads at once, then one per 1/rate seconds', () => {
    const limit = new ReadLimit(4, 0);
    assert.deepEqual(
      Array.from({ length: 5 }, () => limit.admit(0)),
      [true, true, true, true, false],
    );
    assert.equal(limit.admit(100), false, 'a tenth of a second refills less than one read at 4/s');
    assert.equal(limit.admit(250), true, 'a quarter of a second refills one');
    assert.equal(limit.admit(250), false);
    assert.equal(limit.admit(10_000), true, 'a long pause refills at most one second of reads');
    assert.deepEqual(
      Array.from({ length: 4 }, () => limit.admit(10_000)),
      [true, true, true, false],
    );
  });
});

describe('GET /charges/:event_id above GATEWAY_MAX_READS_PER_SECOND', () => {
  const RATE = 3;
  let t: TestApp;
  before(async () => {
    t = await buildTestApp([], { maxReadsPerSecond: RATE });
  });
  after(() => t.app.close());

  it('answers 503 busy with Retry-After: 1 beyond the rate, while POST /charge still takes charges', async () => {
    const charge = () => {
      const id = randomUUID();
      return { event_id: `evt-reads-${id}`, order_id: `order-reads-${id}`, amount: 1999, currency: 'usd' };
    };
    const first = charge();
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/charge', payload: first, headers: auth })).statusCode,
      202,
    );
    const reads = await Promise.all(
      Array.from({ length: RATE + 2 }, () =>
        t.app.inject({ method: 'GET', url: `/charges/${first.event_id}`, headers: auth }),
      ),
    );
    const busy = reads.filter((r) => r.statusCode === 503);
    assert.ok(reads.filter((r) => r.statusCode === 200).length <= RATE);
    assert.ok(busy.length >= 2, reads.map((r) => r.statusCode).join(','));
    for (const res of busy) {
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.json<{ error: string }>().error, 'busy');
    }
    const second = await t.app.inject({ method: 'POST', url: '/charge', payload: charge(), headers: auth });
    assert.equal(second.statusCode, 202, 'reads refused, charges still taken');
  });
});
