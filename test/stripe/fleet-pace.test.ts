import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  livePollers,
  POLLER_FRESH_MS,
  watchFleetPace,
  type StripeQueuePoller,
} from '../../src/stripe/fleet-pace';
import { createPacer } from '../../src/stripe/pacer';

const NOW = 1_800_000_000_000;
const poller = (identity: string, agoMs: number | undefined): StripeQueuePoller => ({
  identity,
  lastAccessMs: agoMs === undefined ? undefined : NOW - agoMs,
});

describe("a worker's share of the fleet's Stripe rate", () => {
  it('counts the workers that polled the Stripe queue lately, each once', () => {
    assert.equal(
      livePollers([poller('1@worker-a', 100), poller('1@worker-b', 30_000), poller('1@worker-a', 5)], NOW),
      2,
    );
  });

  it("leaves out a worker whose last poll is older than a long poll's wait (it stopped)", () => {
    assert.equal(
      livePollers(
        [poller('1@worker-a', 100), poller('1@gone', POLLER_FRESH_MS + 1), poller('1@unknown', undefined)],
        NOW,
      ),
      1,
    );
  });

  it('counts at least this worker, before Temporal lists it', () => {
    assert.equal(livePollers([], NOW), 1);
  });

  it('sets the pacer to the rate divided by the workers, and says so when the share changes', async () => {
    const pacer = createPacer(20);
    let listed = [poller('1@worker-a', 10)];
    const shares: Array<{ workers: number; perSecond: number }> = [];
    const pace = watchFleetPace({
      ratePerSecond: 20,
      pacer,
      describePollers: async () => listed,
      onShare: (share) => shares.push(share),
      onError: () => assert.fail('no error expected'),
      now: () => NOW,
      schedule: false,
    });
    await pace.refresh();
    assert.equal(pacer.ratePerSecond, 20);
    listed = [poller('1@worker-a', 10), poller('1@worker-b', 10)];
    await pace.refresh();
    await pace.refresh(); // the same fleet: nothing new to say
    assert.equal(pacer.ratePerSecond, 10);
    listed = [
      poller('1@worker-a', 10),
      poller('1@worker-b', 10),
      poller('1@worker-c', 10),
      poller('1@worker-d', 10),
    ];
    await pace.refresh();
    assert.equal(pacer.ratePerSecond, 5);
    assert.deepEqual(shares, [
      { workers: 1, perSecond: 20 },
      { workers: 2, perSecond: 10 },
      { workers: 4, perSecond: 5 },
    ]);
    pace.stop();
  });

  it('keeps the last share when Temporal cannot be asked, and reports that once a minute', async () => {
    const pacer = createPacer(20);
    let now = NOW;
    let answer: () => Promise<StripeQueuePoller[]> = async () => [poller('a', 1), poller('b', 1)];
    const errors: unknown[] = [];
    const pace = watchFleetPace({
      ratePerSecond: 20,
      pacer,
      describePollers: () => answer(),
      onShare: () => undefined,
      onError: (err) => errors.push(err),
      now: () => now,
      schedule: false,
    });
    await pace.refresh();
    answer = () => Promise.reject(new Error('UNAVAILABLE'));
    await pace.refresh();
    now += 10_000;
    await pace.refresh();
    assert.equal(pacer.ratePerSecond, 10);
    assert.equal(errors.length, 1);
    now += 60_000;
    await pace.refresh();
    assert.equal(errors.length, 2);
    pace.stop();
  });
});
