import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (for durations and schedules). */
export function now(): number {
  return performance.now();
}

/** Epoch milliseconds of a monotonic instant, sub-millisecond, to compare with Kafka timestamps. */
export function epochOf(monotonicMs: number): number {
  return performance.timeOrigin + monotonicMs;
}

/** The monotonic instant of an epoch time (e.g. a Kafka record read), inverse of epochOf. */
export function monotonicOf(epochMs: number): number {
  return epochMs - performance.timeOrigin;
}
