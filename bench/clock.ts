import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (for durations and schedules). */
export function now(): number {
  return performance.now();
}

/** Epoch milliseconds of a monotonic instant, sub-millisecond, to compare with Kafka timestamps. */
export function epochOf(monotonicMs: number): number {
  return performance.timeOrigin + monotonicMs;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
