/**
 * Every API request the stand-in answered, for tests to assert on what the service asked Stripe:
 * which endpoint, under which idempotency key, with which parameters, and what it was answered.
 * Kept in memory, the newest RECORDER_LIMIT.
 */

export const RECORDER_LIMIT = 50_000;

export interface RecordedRequest {
  /** Increasing from 1: `?after=N` reads only what came since. */
  readonly seq: number;
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

  record(entry: Omit<RecordedRequest, 'seq' | 'at'>): RecordedRequest {
    this.seq += 1;
    const recorded = { seq: this.seq, at: new Date().toISOString(), ...entry };
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
