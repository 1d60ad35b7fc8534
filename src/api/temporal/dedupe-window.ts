import type { Connection } from '@temporalio/client';

/** How often the namespace's retention is read again: an operator may shorten it at any time. */
export const RETENTION_CHECK_INTERVAL_MS = 5 * 60_000;

/**
 * The promise that a repeated event_id is recognised for the whole dedupe window rests on Temporal
 * keeping each charge's workflow that long (REJECT_DUPLICATE refuses a second `charge-<event_id>`
 * only while the first is open or retained). This reads the namespace's retention at start and
 * every few minutes; while it is shorter than the window, the gateway takes no charge.
 */
export interface DedupeWindow {
  readonly windowSeconds: number;
  /** Why charges cannot be deduplicated for the window now, or undefined (also while unknown). */
  problem(): string | undefined;
  stop(): void;
}

type Retention = { kind: 'unknown' } | { kind: 'read'; seconds: number };

export function watchDedupeWindow(options: {
  connection: Connection;
  namespace: string;
  windowSeconds: number;
  onError: (err: unknown) => void;
}): DedupeWindow {
  const { connection, namespace, windowSeconds } = options;
  let retention: Retention = { kind: 'unknown' };
  const read = async (): Promise<void> => {
    try {
      const answer = await connection.withDeadline(Date.now() + 5000, () =>
        connection.workflowService.describeNamespace({ namespace }),
      );
      const ttl = answer.config?.workflowExecutionRetentionTtl;
      retention = { kind: 'read', seconds: Number(ttl?.seconds ?? 0) };
    } catch (err) {
      // Temporal down: /readyz already says so, and a POST /charge gets its own 503.
      options.onError(err);
    }
  };
  void read();
  const timer = setInterval(() => void read(), RETENTION_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    windowSeconds,
    problem() {
      if (retention.kind === 'unknown' || retention.seconds >= windowSeconds) return undefined;
      return (
        `namespace ${namespace} keeps closed workflows for ${formatDuration(retention.seconds)}, shorter than ` +
        `the dedupe window of ${formatDuration(windowSeconds)} (CHARGE_DEDUPE_WINDOW): a repeated event_id ` +
        `could be charged again; raise the namespace's retention`
      );
    },
    stop: () => clearInterval(timer),
  };
}

function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${seconds}s`;
}
