import type { Connection } from '@temporalio/client';

/** How often the namespace's retention is read again: an operator may shorten it at any time. */
export const RETENTION_CHECK_INTERVAL_MS = 5 * 60_000;

/** The deadline of one read: the same 5 s as every other Temporal call of the gateway. */
export const RETENTION_READ_DEADLINE_MS = 5_000;

/**
 * After a failed read the next one comes after 1 s, then 2, 4 … up to 30 s: a gateway that started
 * while Temporal was briefly down takes charges again within seconds of its return, not minutes.
 */
export const RETENTION_RETRY = { firstMs: 1_000, maxMs: 30_000 } as const;

/** The pause before the next read after `failures` failed reads in a row (1 or more). */
export function retentionRetryDelayMs(
  failures: number,
  retry: { readonly firstMs: number; readonly maxMs: number } = RETENTION_RETRY,
): number {
  return Math.min(retry.maxMs, retry.firstMs * 2 ** Math.max(0, failures - 1));
}

/** Why a charge is refused: the retention is not known yet, or it is known and too short. */
export interface DedupeRefusal {
  readonly code: 'dedupe_window_unconfirmed' | 'dedupe_window_not_kept';
  readonly reason: string;
}

/**
 * The promise that a repeated event_id is recognised for the whole dedupe window rests on Temporal
 * keeping each charge's workflow that long (REJECT_DUPLICATE refuses a second `charge-<event_id>`
 * only while the first is open or retained). This reads the namespace's retention at start and
 * every few minutes. It fails closed: until a read has found the retention at least as long as the
 * window, the gateway takes no charge and is not ready.
 */
export interface DedupeWindow {
  readonly windowSeconds: number;
  /** Why charges cannot be taken now (what /readyz shows), or undefined once the retention covers the window. */
  problem(): string | undefined;
  /**
   * For a charge: waits for a read in flight (the first one, right after start), then why the charge
   * must be refused, or undefined. Never waits longer than one read's deadline.
   */
  refusal(): Promise<DedupeRefusal | undefined>;
  stop(): void;
}

type Retention =
  | { readonly kind: 'unread'; readonly lastError?: string }
  | { readonly kind: 'read'; readonly seconds: number };

export function watchDedupeWindow(options: {
  connection: Pick<Connection, 'withDeadline' | 'workflowService'>;
  namespace: string;
  windowSeconds: number;
  onError: (err: unknown) => void;
  /** The backoff after failed reads; tests shorten it. */
  retry?: { readonly firstMs: number; readonly maxMs: number };
}): DedupeWindow {
  const { connection, namespace, windowSeconds } = options;
  let retention: Retention = { kind: 'unread' };
  let failures = 0;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void readNow(), ms);
    timer.unref();
  };

  const read = async (): Promise<void> => {
    try {
      const answer = await connection.withDeadline(Date.now() + RETENTION_READ_DEADLINE_MS, () =>
        connection.workflowService.describeNamespace({ namespace }),
      );
      const ttl = answer.config?.workflowExecutionRetentionTtl;
      retention = { kind: 'read', seconds: Number(ttl?.seconds ?? 0) };
      failures = 0;
      schedule(RETENTION_CHECK_INTERVAL_MS);
    } catch (err) {
      options.onError(err);
      failures++;
      // A value read earlier stays: Temporal being down gives each POST /charge its own 503 anyway.
      if (retention.kind === 'unread') retention = { kind: 'unread', lastError: messageOf(err) };
      schedule(retentionRetryDelayMs(failures, options.retry));
    }
  };

  const readNow = (): Promise<void> => {
    inFlight ??= read().finally(() => (inFlight = undefined));
    return inFlight;
  };

  /** With `detail`, the failed read's own message (for /readyz and the log; never in a caller's 503). */
  const current = (detail: boolean): DedupeRefusal | undefined => {
    if (retention.kind === 'unread') {
      const retryIn = formatDuration(Math.ceil(retentionRetryDelayMs(failures, options.retry) / 1000));
      const why =
        retention.lastError === undefined
          ? 'has not been read yet'
          : `could not be read${detail ? ` (${retention.lastError})` : ''}; it is read again within ${retryIn}`;
      return {
        code: 'dedupe_window_unconfirmed',
        reason:
          `the retention of namespace ${namespace} ${why}: until it is known to cover the dedupe window of ` +
          `${formatDuration(windowSeconds)} (CHARGE_DEDUPE_WINDOW), a repeated event_id could be charged again`,
      };
    }
    if (retention.seconds >= windowSeconds) return undefined;
    return {
      code: 'dedupe_window_not_kept',
      reason:
        `namespace ${namespace} keeps closed workflows for ${formatDuration(retention.seconds)}, shorter than ` +
        `the dedupe window of ${formatDuration(windowSeconds)} (CHARGE_DEDUPE_WINDOW): a repeated event_id ` +
        `could be charged again; raise the namespace's retention`,
    };
  };

  void readNow();
  return {
    windowSeconds,
    problem: () => current(true)?.reason,
    async refusal() {
      // The first read is in flight right after start: a charge waits for it rather than being
      // refused for a moment that has nothing to do with the namespace.
      if (inFlight !== undefined && retention.kind === 'unread') await inFlight;
      return current(false);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${seconds}s`;
}
