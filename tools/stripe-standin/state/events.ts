/** Records Stripe events as state changes happen, and tells the webhook sender about each one. */
import { newId, unixSeconds } from './ids';
import type { EventRecord } from './model';
import type { Store } from './store';

/** Who caused a change: an API request (its id and idempotency key), or nobody (a bank, a customer, time). */
export interface Origin {
  readonly requestId: string | null;
  readonly idempotencyKey: string | null;
}

export const NO_REQUEST: Origin = { requestId: null, idempotencyKey: null };

export class EventLog {
  private readonly listeners: Array<(event: EventRecord) => void> = [];

  constructor(private readonly store: Store) {}

  onEvent(listener: (event: EventRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Records `type` about `object` (rendered now: the event carries the object as it is at this moment). */
  emit(type: string, object: Record<string, unknown>, origin: Origin): EventRecord {
    const event: EventRecord = {
      id: newId('evt'),
      type,
      created: unixSeconds(),
      object: structuredClone(object),
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
    };
    this.store.addEvent(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }
}
