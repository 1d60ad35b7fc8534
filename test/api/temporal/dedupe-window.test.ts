/**
 * The dedupe-window watch fails closed: until a read of the namespace's retention has found it at
 * least as long as CHARGE_DEDUPE_WINDOW, it refuses charges and names why (what /readyz shows); a
 * failed read is retried within seconds, with backoff, not at the next 5-minute check.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Connection } from '@temporalio/client';
import {
  RETENTION_CHECK_INTERVAL_MS,
  RETENTION_READ_DEADLINE_MS,
  RETENTION_RETRY,
  retentionRetryDelayMs,
  watchDedupeWindow,
  type DedupeWindow,
} from '../../../src/api/temporal/dedupe-window';
import { waitUntil } from '../../support/wait';

const DAY = 86_400;
const WINDOW = 8 * DAY;

/**
 * A stand-in for the SDK connection's describeNamespace: each read takes the next scripted answer
 * (a retention in seconds, or an error), and waits for `gate` when one is set.
 */
function scriptedNamespace(answers: Array<number | Error>) {
  const reads: Array<{ at: number; deadline: number }> = [];
  let gate: Promise<void> | undefined;
  const connection = {
    withDeadline: <T>(deadline: number, fn: () => Promise<T>) => {
      reads.push({ at: Date.now(), deadline });
      return fn();
    },
    workflowService: {
      describeNamespace: async () => {
        await gate;
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer instanceof Error) throw answer;
        return { config: { workflowExecutionRetentionTtl: { seconds: answer } } };
      },
    },
  };
  return {
    // Only the two members the watch uses; a real Connection needs a server.
    connection: connection as unknown as Pick<Connection, 'withDeadline' | 'workflowService'>,
    reads,
    hold(): () => void {
      let release: () => void = () => undefined;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

/** Lets the promise callbacks of a read run (setImmediate is not among the mocked timers). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

const unavailable = () => new Error('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7233');

function watch(
  connection: Pick<Connection, 'withDeadline' | 'workflowService'>,
  errors: unknown[] = [],
  retry = { firstMs: 20, maxMs: 80 },
): DedupeWindow {
  return watchDedupeWindow({
    connection,
    namespace: `ns-${randomUUID().slice(0, 8)}`,
    windowSeconds: WINDOW,
    onError: (err) => errors.push(err),
    retry,
  });
}

describe('the dedupe-window watch', () => {
  it('is not ready, naming why, while the first read has not answered; a charge waits for that read', async () => {
    const ns = scriptedNamespace([192 * 3600]);
    const release = ns.hold();
    const window = watch(ns.connection);
    try {
      assert.match(window.problem() ?? '', /retention of namespace ns-\S+ has not been read yet/);
      const refusal = window.refusal();
      release();
      assert.equal(await refusal, undefined, 'the charge waited for the read, which found 8d');
      assert.equal(window.problem(), undefined);
    } finally {
      window.stop();
    }
  });

  it('refuses charges while the retention cannot be read (fails closed), and says so without the SDK detail', async () => {
    const ns = scriptedNamespace([unavailable()]);
    const errors: unknown[] = [];
    const window = watch(ns.connection, errors);
    try {
      const refusal = await window.refusal();
      assert.equal(refusal?.code, 'dedupe_window_unconfirmed');
      assert.match(refusal?.reason ?? '', /could not be read; it is read again within \d+s/);
      assert.ok(!refusal?.reason.includes('ECONNREFUSED'), 'a caller never sees the SDK message');
      assert.match(window.problem() ?? '', /could not be read \(14 UNAVAILABLE: connect ECONNREFUSED/);
      assert.ok(errors.length >= 1, 'each failed read is reported (logged)');
    } finally {
      window.stop();
    }
  });

  it('reads again within seconds after a failure, backing off, and takes charges once a read finds the window kept', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ns = scriptedNamespace([unavailable(), unavailable(), unavailable(), 192 * 3600]);
    const window = watch(ns.connection, [], RETENTION_RETRY);
    try {
      for (const pause of [1000, 2000, 4000]) {
        await settled();
        assert.equal(window.problem()?.includes('could not be read'), true);
        t.mock.timers.tick(pause - 1);
        const before = ns.reads.length;
        await settled();
        assert.equal(ns.reads.length, before, `no read before ${pause} ms`);
        t.mock.timers.tick(1);
      }
      await settled();
      assert.deepEqual(
        ns.reads.map((r) => r.at),
        [0, 1000, 3000, 7000],
        'read at start, then after 1 s, 2 s and 4 s',
      );
      assert.equal(window.problem(), undefined);
      assert.equal(await window.refusal(), undefined);
      for (const read of ns.reads) assert.equal(read.deadline - read.at, RETENTION_READ_DEADLINE_MS);
      t.mock.timers.tick(RETENTION_CHECK_INTERVAL_MS);
      assert.equal(ns.reads.length, 5, 'after a good read, the next comes at the regular interval');
    } finally {
      window.stop();
    }
  });

  it('refuses charges while the namespace keeps closed workflows for less than the window', async () => {
    const ns = scriptedNamespace([DAY]);
    const window = watch(ns.connection);
    try {
      const refusal = await waitUntil(
        async () => (await window.refusal())?.code === 'dedupe_window_not_kept' && window.refusal(),
        'the short retention to be read',
      );
      assert.match(
        refusal?.reason ?? '',
        /keeps closed workflows for 1d, shorter than the dedupe window of 8d .*raise the namespace's retention/,
      );
      assert.equal(window.problem(), refusal?.reason);
    } finally {
      window.stop();
    }
  });

  it('keeps a retention it has read when a later read fails (Temporal down answers its own 503)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const ns = scriptedNamespace([192 * 3600, unavailable()]);
    const errors: unknown[] = [];
    const window = watch(ns.connection, errors, RETENTION_RETRY);
    try {
      await settled();
      assert.equal(window.problem(), undefined);
      t.mock.timers.tick(RETENTION_CHECK_INTERVAL_MS);
      await settled();
      assert.equal(ns.reads.length, 2);
      assert.equal(errors.length, 1, 'the second read failed');
      assert.equal(window.problem(), undefined);
      assert.equal(await window.refusal(), undefined);
    } finally {
      window.stop();
    }
  });

  it('reads no more once stopped, even when a read in flight fails afterwards', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const ns = scriptedNamespace([unavailable()]);
    const release = ns.hold();
    const window = watch(ns.connection, [], RETENTION_RETRY);
    window.stop();
    release();
    await settled();
    t.mock.timers.tick(RETENTION_CHECK_INTERVAL_MS);
    await settled();
    assert.equal(ns.reads.length, 1);
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s after failed reads, far sooner than the 5-minute check', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map((failures) => retentionRetryDelayMs(failures)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
    );
    assert.ok(RETENTION_RETRY.maxMs < RETENTION_CHECK_INTERVAL_MS);
  });
});
