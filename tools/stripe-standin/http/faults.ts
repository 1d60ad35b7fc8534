/**
 * Faults injected on purpose (POST /_standin/faults): the next N matching API requests are answered
 * with a given status instead of running (`before`: Stripe is down and never saw it, so nothing is
 * kept under its idempotency key and a key's kept answer is not replayed either), or run and then answered with that status (`lose_response`: the charge happened
 * but the client never heard, so a retry with the same key gets the kept answer), or run normally
 * but late (`slow`: only delay_ms applies; `hold`: until the test releases it, for a test that must
 * act while Stripe is answering), or run and answered with `patch` merged into the answer (`patch`:
 * an answer the stand-in does not model, or one Stripe never gives, for a client's defensive
 * paths; the state and the answer kept under the key stay the real ones). Every mode waits
 * delay_ms first.
 */
import { StripeApiError } from './stripe-errors';

export const FAULT_MODES = ['before', 'lose_response', 'slow', 'hold', 'patch'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const isFaultMode = (mode: string): mode is FaultMode =>
  (FAULT_MODES as readonly string[]).includes(mode);

/** A JSON merge patch (RFC 7386): members replace the answer's, `null` removes one, objects merge. */
export type AnswerPatch = { readonly [member: string]: unknown };

export interface FaultSpec {
  readonly method?: string | undefined;
  /** A path prefix (`/v1/payment_intents`) or, between slashes, a pattern (`/^\/v1\/refunds$/`). */
  readonly path: string;
  readonly count: number;
  readonly status: number;
  readonly mode: FaultMode;
  /** Hold the answer this long first (a slow Stripe). */
  readonly delay_ms: number;
  readonly error?: { readonly type?: string; readonly code?: string; readonly message?: string } | undefined;
  /** `patch` mode: merged into the answer's JSON. */
  readonly patch?: AnswerPatch | undefined;
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

/** RFC 7386's merge: `patch`'s members over `target`'s, null deleting, objects merged member by member. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const merged: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [member, value] of Object.entries(patch)) {
    if (value === null) delete merged[member];
    else merged[member] = mergePatch(merged[member], value);
  }
  return merged;
}

export class Faults {
  private readonly active: ActiveFault[] = [];
  private readonly held: Array<() => void> = [];

  add(spec: FaultSpec): void {
    this.active.push({ ...spec, remaining: spec.count });
  }

  /** Drops the faults not used up yet and lets every held request go on. */
  clear(): void {
    this.active.length = 0;
    this.release();
  }

  /** `hold` mode: resolves once the test releases the held requests (or clears the faults). */
  holdUntilReleased(): Promise<void> {
    return new Promise<void>((resolve) => this.held.push(resolve));
  }

  /** Lets every held request go on; how many there were. */
  release(): number {
    const released = this.held.splice(0);
    for (const go of released) go();
    return released.length;
  }

  list(): readonly FaultSpec[] {
    return this.active.filter((f) => f.remaining > 0);
  }

  /** The fault this request would meet next, not counted as used. */
  peek(method: string, path: string): FaultSpec | undefined {
    return this.next(method, path);
  }

  /** The fault this request meets (counted as used), if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.next(method, path);
    if (fault) fault.remaining -= 1;
    return fault;
  }

  private next(method: string, path: string): ActiveFault | undefined {
    return this.active.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        pathMatches(f.path, path),
    );
  }
}
