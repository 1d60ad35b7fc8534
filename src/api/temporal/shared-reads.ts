/**
 * Concurrent identical reads share one call. A storefront polling GET /charges/:event_id, or a
 * double-clicked refund button, must not turn into a burst of queries on one workflow: while a
 * workflow task is in flight Temporal buffers only a few queries per workflow and refuses the rest
 * (RESOURCE_EXHAUSTED, "consistent query buffer is full"). Nothing is cached: once the shared call
 * has settled, the next read asks Temporal afresh.
 */
export type SharedReads<T> = (key: string, read: () => Promise<T>) => Promise<T>;

export function createSharedReads<T>(): SharedReads<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, read) => {
    const shared = inFlight.get(key);
    if (shared !== undefined) return shared;
    const call = read().finally(() => inFlight.delete(key));
    inFlight.set(key, call);
    return call;
  };
}
