/** Counts of HTTP answers by status (and `conn` for connection errors and timeouts), plus retries. */
export class HttpTally {
  requests = 0;
  retries = 0;
  private readonly statuses = new Map<string, number>();

  record(status: number | 'conn'): void {
    this.requests += 1;
    const key = String(status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  count(status: number | 'conn'): number {
    return this.statuses.get(String(status)) ?? 0;
  }

  byStatus(): Record<string, number> {
    return Object.fromEntries([...this.statuses].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** "202:950 200:250 503:12" */
  summary(): string {
    return Object.entries(this.byStatus())
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
  }
}

/** Exponential backoff with jitter, as a well-behaved client waits between retries. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  retryAfterSeconds?: number,
): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) {
    return Math.min(retryAfterSeconds * 1000, capMs);
  }
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
