/**
 * How many Stripe calls wait on the rate-limited Stripe task queue, read from Temporal's task-queue
 * statistics (DescribeTaskQueue with report_stats), for the gateway's poll hint: during a flash sale a
 * new charge waits its turn behind that backlog, and a storefront told so polls a few times instead of
 * once a second (see poll-hint.ts).
 *
 * Never on a request's path: a caller gets the last figure at once, and a figure older than
 * REFRESH_INTERVAL_MS starts one read in the background (one in flight at a time, whatever the number
 * of callers). A failed read makes the figure `undefined` ("unknown"), never a stale or made-up one.
 */
import { describeStripeTaskQueue, type DescribingConnection } from '../../clients/stripe-task-queue';
import { throttledReport } from '../../observability/throttled-report';

const REFRESH_INTERVAL_MS = 1_000;
const DESCRIBE_DEADLINE_MS = 2_000;
/** A read failing every second (Temporal down, a key without the permission) is reported once a minute. */
const ERROR_REPORT_INTERVAL_MS = 60_000;

export interface QueueBacklog {
  /** Stripe calls scheduled and not yet handed to a worker (Temporal's approximate count). */
  readonly waiting: number;
  /** Tasks the queue handed to workers per second lately (0 when idle or unknown). */
  readonly dispatchedPerSecond: number;
}

/** The last figure read (undefined before the first read and after a failed one). */
export type LatestStripeQueueBacklog = () => QueueBacklog | undefined;

export function watchStripeQueueBacklog(deps: {
  connection: DescribingConnection;
  namespace: string;
  /** The charges' task queue; the Stripe queue is derived from it as the workflows do. */
  taskQueue: string;
  onError: (err: unknown) => void;
  now?: () => number;
}): LatestStripeQueueBacklog {
  const now = deps.now ?? Date.now;
  let last: { at: number; backlog: QueueBacklog | undefined } | undefined;
  let reading: Promise<void> | undefined;
  const reportError = throttledReport(deps.onError, ERROR_REPORT_INTERVAL_MS, now);

  const read = async (): Promise<QueueBacklog | undefined> => {
    try {
      const answer = await describeStripeTaskQueue(deps.connection, {
        namespace: deps.namespace,
        taskQueue: deps.taskQueue,
        reportStats: true,
        deadlineMs: DESCRIBE_DEADLINE_MS,
      });
      const stats = answer.stats;
      return {
        // int64 on the wire: a Long (or a number), never above 2^53 here.
        waiting: Number(stats?.approximateBacklogCount?.toString() ?? '0'),
        dispatchedPerSecond: stats?.tasksDispatchRate ?? 0,
      };
    } catch (err) {
      reportError(err);
      return undefined;
    }
  };

  return () => {
    const stale = last === undefined || now() - last.at >= REFRESH_INTERVAL_MS;
    // read() never rejects (its failures go to onError), so this promise needs no one to await it.
    if (stale && reading === undefined) {
      reading = read().then((backlog) => {
        last = { at: now(), backlog };
        reading = undefined;
      });
    }
    return last?.backlog;
  };
}
