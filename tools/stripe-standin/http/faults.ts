/**
 * Faults injected on purpose (POST /_standin/faults): the next N matching API requests are answered
 * with a given status instead of running (`before`: Stripe never saw it, nothing kept under its
 * idempotency key), or run and then answered with that status (`lose_response`: the charge happened
 * but the client never heard, so a retry with the same key gets the kept answer), or run normally
 * but late (`slow`: only delay_ms applies). Every mode waits delay_ms first.
 */
import { StripeApiError } from './stripe-errors';

export interface FaultSpec {
  readonly method?: string | undefined;
  /** A path prefix (`/v1/payment_intents`) or, between slashes, a pattern (`/^\/v1\/refunds$/`). */
  readonly path: string;
  readonly count: number;
  readonly status: number;
  readonly mode: 'before' | 'lose_response' | 'slow';
  /** Hold the answer this long first (a slow Stripe). */
  readonly delay_ms: number;
  readonly error?: { readonly type?: string; readonly code?: string; readonly message?: string } | undefined;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

function pathMatches(spec: string, path: string): boolean {
  const pattern = /^\/(.*)\/$/.exec(spec);
  if (pattern && spec.length > 2) return new RegExp(pattern[1] ?? '').test(path);
  return path.startsWith(spec);
}

export function faultError(fault: FaultSpec): StripeApiError {
  const type = (fault.error?.type ?? (fault.status >= 500 ? 'api_error' : 'invalid_request_error')) as
    'api_error' | 'invalid_request_error';
  return new StripeApiError(
    fault.status,
    {
      type,
      message: fault.error?.message ?? `Injected fault (stripe-standin, a test tool): HTTP ${fault.status}.`,
      ...(fault.error?.code ? { code: fault.error.code } : {}),
    },
    // Stripe tells its SDKs a 5xx may be retried; a 429 carries no such header.
    fault.status >= 500 ? { 'Stripe-Should-Retry': 'true' } : {},
  );
}

export class Faults {
  private readonly active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.active.push({ ...spec, remaining: spec.count });
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): readonly FaultSpec[] {
    return this.active.filter((f) => f.remaining > 0);
  }

  /** The fault this request meets (counted as used), if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.active.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        pathMatches(f.path, path),
    );
    if (fault) fault.remaining -= 1;
    return fault;
  }
}
