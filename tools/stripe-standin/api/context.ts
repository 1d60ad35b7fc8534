/** What the API handlers work on: the stand-in's state, its settings, and who is asking. */
import type { FormObject } from '../http/form';
import type { StandinSettings } from '../settings';
import type { Disputes } from '../state/disputes';
import type { Origin } from '../state/events';
import type { PaymentIntents } from '../state/payment-intents';
import type { Refunds } from '../state/refunds';
import type { Store } from '../state/store';

export interface StandinState {
  readonly store: Store;
  readonly paymentIntents: PaymentIntents;
  readonly refunds: Refunds;
  readonly disputes: Disputes;
  readonly settings: () => StandinSettings;
}

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** Body and query parameters together, decoded (Stripe reads both). */
  readonly params: FormObject;
  readonly origin: Origin;
}

/** A handler's answer: the JSON object (HTTP 200), or it throws a StripeApiError. */
export type ApiHandler = (
  state: StandinState,
  request: ApiRequest,
  ids: readonly string[],
) => Record<string, unknown>;

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the whole path; its groups are the object ids handed to the handler. */
  readonly path: RegExp;
  readonly handler: ApiHandler;
}

/** A list answer in Stripe's shape, newest first, cut at `limit` (default 10, at most 100). */
export function listOf(
  url: string,
  items: ReadonlyArray<Record<string, unknown>>,
  limitParam: string | undefined,
) {
  const limit = Math.min(100, Math.max(1, Number(limitParam ?? 10) || 10));
  return { object: 'list', data: items.slice(0, limit), has_more: items.length > limit, url };
}
