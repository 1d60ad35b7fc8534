/** Values that arrive by key (a PaymentIntent id, a Kafka record), awaited by key, in either order. */
export class Waiters<T> {
  private readonly values = new Map<string, T>();
  private readonly pending = new Map<string, Array<(value: T | undefined) => void>>();

  put(key: string, value: T): void {
    if (this.values.has(key)) return; // the first one wins; later ones are repeats
    this.values.set(key, value);
    const waiting = this.pending.get(key);
    this.pending.delete(key);
    for (const resolve of waiting ?? []) resolve(value);
  }

  get(key: string): T | undefined {
    return this.values.get(key);
  }

  wait(key: string): Promise<T | undefined> {
    const value = this.values.get(key);
    if (value !== undefined) return Promise.resolve(value);
    return new Promise((resolve) => {
      const list = this.pending.get(key) ?? [];
      list.push(resolve);
      this.pending.set(key, list);
    });
  }

  /** Ends the wait of every pending key that starts with `prefix`, with undefined. */
  expire(prefix: string): void {
    for (const [key, list] of this.pending) {
      if (!key.startsWith(prefix)) continue;
      this.pending.delete(key);
      for (const resolve of list) resolve(undefined);
    }
  }

  count(prefix: string): number {
    let n = 0;
    for (const key of this.values.keys()) if (key.startsWith(prefix)) n++;
    return n;
  }
}
