/**
 * The Stripe task queue's backlog as the gateway reads it for the poll hint: never on a request's
 * path (the last figure at once), read again in the background at most once a second, one read in
 * flight, and "unknown" after a failed read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '@temporalio/client';
import { watchStripeQueueBacklog } from '../../../src/api/temporal/stripe-queue-backlog';
import { waitUntil } from '../../support/wait';

type Service = Pick<Connection, 'withDeadline' | 'workflowService'>;
type DescribeRequest = Parameters<Connection['workflowService']['describeTaskQueue']>[0];

function fakeTemporal(answers: Array<() => Promise<unknown>>) {
  const asked: DescribeRequest[] = [];
  const connection = {
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    workflowService: {
      describeTaskQueue: (request: DescribeRequest) => {
        asked.push(request);
        const next = answers.length > 1 ? answers.shift() : answers[0];
        return next?.() ?? Promise.reject(new Error('no answer scripted'));
      },
    },
  } as unknown as Service;
  return { connection, asked };
}

const stats = (backlog: number, dispatchRate: number) => () =>
  Promise.resolve({
    stats: { approximateBacklogCount: { toString: () => String(backlog) }, tasksDispatchRate: dispatchRate },
  });

describe("the Stripe queue's backlog", () => {
  it('asks Temporal for the activity statistics of the Stripe queue the workflows use', async () => {
    const { connection, asked } = fakeTemporal([stats(120, 19.5)]);
    let now = 0;
    const latest = watchStripeQueueBacklog({
      connection,
      namespace: 'payments',
      taskQueue: 'charges',
      onError: () => assert.fail('no error expected'),
      now: () => now,
    });
    assert.equal(latest(), undefined, 'nothing known before the first read');
    const figure = await waitUntil(async () => latest(), 'the first figure');
    assert.deepEqual(figure, { waiting: 120, dispatchedPerSecond: 19.5 });
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.taskQueue?.name, 'charges-stripe');
    assert.equal(asked[0]?.namespace, 'payments');
    assert.equal(asked[0]?.reportStats, true);
    now = 500;
    latest();
    assert.equal(asked.length, 1, 'within a second: the last figure, no new read');
  });

  it('reads again after a second, one read at a time however many callers ask', async () => {
    let release: (() => void) | undefined;
    const slow = () =>
      new Promise((resolve) => {
        release = () => resolve({ stats: { approximateBacklogCount: 9, tasksDispatchRate: 3 } });
      });
    const { connection, asked } = fakeTemporal([stats(40, 20), slow]);
    let now = 0;
    const latest = watchStripeQueueBacklog({
      connection,
      namespace: 'ns',
      taskQueue: 'q',
      onError: () => {},
      now: () => now,
    });
    latest();
    await waitUntil(async () => latest(), 'the first figure');
    now = 1_000;
    for (let i = 0; i < 5; i++) assert.deepEqual(latest(), { waiting: 40, dispatchedPerSecond: 20 });
    assert.equal(asked.length, 2, 'one background read for five callers');
    release?.();
    assert.deepEqual(
      await waitUntil(async () => (latest()?.waiting === 9 ? latest() : undefined), 'the new figure'),
      {
        waiting: 9,
        dispatchedPerSecond: 3,
      },
    );
  });

  it('knows nothing after a failed read, and says why, once a minute while it keeps failing', async () => {
    const errors: unknown[] = [];
    const { connection, asked } = fakeTemporal([
      stats(40, 20),
      () => Promise.reject(new Error('unavailable')),
    ]);
    // Reads made by the time the clock shows `at` (one at 0 and at 2, 3, 4, 61 and 62.5 s).
    const reads = (at: number) => [0, 2_000, 3_000, 4_000, 61_000, 62_500].filter((t) => t <= at).length;
    let now = 0;
    const latest = watchStripeQueueBacklog({
      connection,
      namespace: 'ns',
      taskQueue: 'q',
      onError: (err) => errors.push(err),
      now: () => now,
    });
    latest();
    await waitUntil(async () => latest(), 'the first figure');
    now = 2_000;
    latest();
    await waitUntil(async () => (errors.length > 0 ? true : undefined), 'the failed read');
    assert.equal(latest(), undefined, 'unknown, not the stale figure');
    assert.match(String(errors[0]), /unavailable/);

    // Failing every second: reported again only a minute after the last report.
    for (const at of [3_000, 4_000, 61_000, 62_500]) {
      now = at;
      latest();
      await waitUntil(async () => (asked.length === reads(at) ? true : undefined), `the read at ${at} ms`);
    }
    assert.equal(errors.length, 2, 'the failures at 2 s and 62.5 s, not those between');
  });
});
