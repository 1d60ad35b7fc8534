/**
 * Every API request the stand-in answered, for tests to assert on what the service asked Stripe:
 * which endpoint, under which idempotency key, with which parameters, and what it was answered.
 * Kept in memory, the newest RECORDER_LIMIT; and how many are being answered right now (a chaos
 * run kills a worker while a create is in flight at Stripe).
 */

export const RECORDER_LIMIT = 50_000;

export interface RecordedRequest {
  /** Increasing from 1: `?after=N` reads only what came since. */
  readonly seq: number;
  /**
   * When the request arrived, before the rate limit (ISO time). Arrival, not the answer: the answer
   * waits on stripe-mock, whose pauses on a busy machine would bunch answers into one second.
   */
  readonly at: string;
  readonly method: string;
  /** The path without its query. */
  readonly path: string;
  readonly idempotency_key: string | null;
  /** The form parameters in Stripe's bracket names (`metadata[event_id]`), body and query together. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  /** Answered from an earlier request's kept answer (same idempotency key and parameters). */
  readonly replayed: boolean;
  /** Refused before it reached the API: `rate_limit`, `fault` (injected), `stripe_mock` (shape), or null. */
  readonly refused_by: 'rate_limit' | 'fault' | 'stripe_mock' | null;
}

export interface RequestFilter {
  readonly after?: number | undefined;
  readonly method?: string | undefined;
  /** A path prefix, e.g. /v1/refunds. */
  readonly path?: string | undefined;
  /** metadata[event_id] of the request. */
  readonly event_id?: string | undefined;
  readonly idempotency_key?: string | undefined;
}

export class RequestRecorder {
  private readonly entries: RecordedRequest[] = [];
  private seq = 0;
  /** Requests received and not yet answered, by `METHOD path`. */
  private readonly pending = new Map<string, number>();

  /** A request arrived; call the returned function once it is answered. */
  arrived(method: string, path: string): () => void {
    const key = `${method.toUpperCase()} ${path}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    return () => {
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    };
  }

  /** Requests received and not yet answered that match the filter's method and path. */
  inFlight(filter: Pick<RequestFilter, 'method' | 'path'> = {}): number {
    let count = 0;
    for (const [key, n] of this.pending) {
      const [method = '', path = ''] = key.split(' ');
      if (filter.method !== undefined && method !== filter.method.toUpperCase()) continue;
      if (filter.path !== undefined && !path.startsWith(filter.path)) continue;
      count += n;
    }
    return count;
  }

  record(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    this.seq += 1;
    const recorded = { seq: this.seq, ...entry };
    this.entries.push(recorded);
    if (this.entries.length > RECORDER_LIMIT) this.entries.splice(0, this.entries.length - RECORDER_LIMIT);
    return recorded;
  }

  find(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter(
      (r) =>
        (filter.after === undefined || r.seq > filter.after) &&
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || r.path.startsWith(filter.path)) &&
        (filter.event_id === undefined || r.params['metadata[event_id]'] === filter.event_id) &&
        (filter.idempotency_key === undefined || r.idempotency_key === filter.idempotency_key),
    );
  }

  get lastSeq(): number {
    return this.seq;
  }
}
