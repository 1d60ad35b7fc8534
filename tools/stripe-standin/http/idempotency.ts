/**
 * Stripe's idempotency keys on POST requests: the first request that runs under a key has its answer
 * kept for 24 hours; a later request with the same key and the same parameters gets that answer
 * again (`Idempotent-Replayed: true`), with other parameters or on another endpoint it gets an
 * idempotency_error, and while the first is still running a 409. A request refused before it ran
 * (the rate limit, a shape stripe-mock rejects, an injected fault) keeps nothing, so it can be retried.
 */
import {
  idempotencyInProgress,
  idempotencyMismatch,
  idempotencyOtherEndpoint,
  type StripeApiError,
} from './stripe-errors';

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredAnswer {
  readonly status: number;
  readonly body: string;
}

export interface IdempotencyEntry {
  readonly key: string;
  /** `POST /v1/payment_intents`: the endpoint the key was first used on. */
  readonly endpoint: string;
  /** The parameters, flattened and sorted: two requests are the same when these are. */
  readonly fingerprint: string;
  readonly createdAt: number;
  answer: StoredAnswer | null;
}

export type IdempotencyVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  | { readonly kind: 'refuse'; readonly error: StripeApiError };

export class IdempotencyKeys {
  private readonly entries = new Map<string, IdempotencyEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Decides a request with a key; a `new` one is marked running until finish() or abandon(). */
  begin(key: string, endpoint: string, fingerprint: string): IdempotencyVerdict {
    this.expireOld();
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { key, endpoint, fingerprint, createdAt: this.now(), answer: null });
      return { kind: 'new' };
    }
    if (entry.endpoint !== endpoint) {
      return { kind: 'refuse', error: idempotencyOtherEndpoint(key, entry.endpoint, endpoint) };
    }
    if (entry.fingerprint !== fingerprint) return { kind: 'refuse', error: idempotencyMismatch(key) };
    if (entry.answer === null) return { kind: 'refuse', error: idempotencyInProgress() };
    return { kind: 'replay', answer: entry.answer };
  }

  finish(key: string, answer: StoredAnswer): void {
    const entry = this.entries.get(key);
    if (entry) entry.answer = answer;
  }

  /** The request did not run (refused before it started): nothing is kept under its key. */
  abandon(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.answer === null) this.entries.delete(key);
  }

  /** Forgets keys as if 24 hours had passed: every key, or the given ones. */
  expire(keys?: readonly string[]): number {
    const names = keys ?? [...this.entries.keys()];
    let count = 0;
    for (const key of names) if (this.entries.delete(key)) count += 1;
    return count;
  }

  snapshot(): IdempotencyEntry[] {
    this.expireOld();
    return [...this.entries.values()].filter((e) => e.answer !== null);
  }

  restore(entries: readonly IdempotencyEntry[]): void {
    for (const entry of entries) this.entries.set(entry.key, { ...entry });
    this.expireOld();
  }

  private expireOld(): void {
    const oldest = this.now() - IDEMPOTENCY_KEY_TTL_MS;
    for (const [key, entry] of this.entries) {
      if (entry.createdAt >= oldest) break;
      this.entries.delete(key);
    }
  }
}
