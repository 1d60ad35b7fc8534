/**
 * Closed-model load for ceilings: N callers, each starting its next operation when the previous one
 * ends, for a fixed time. Throughput counts operations that ended inside the measured window.
 */
import { sleep } from '../test/support/wait';
import { now } from './clock';
import { ErrorCounts, Samples, round, type LatencySummary } from './stats';

export interface ClosedLoopResult {
  readonly concurrency: number;
  readonly seconds: number;
  readonly completed: number;
  readonly per_s: number;
  readonly latency_ms: LatencySummary;
  readonly errors: number;
  readonly error_kinds: Record<string, number>;
}

export async function closedLoop(
  concurrency: number,
  warmupSeconds: number,
  seconds: number,
  operation: (callIndex: number) => Promise<void>,
  /** Called when the measured window opens and closes (e.g. to sample CPU over exactly that window). */
  window?: { readonly opened: () => void; readonly closed: () => void },
): Promise<ClosedLoopResult> {
  const measureFrom = now() + warmupSeconds * 1000;
  const end = measureFrom + seconds * 1000;
  const timers = [
    setTimeout(() => window?.opened(), warmupSeconds * 1000),
    setTimeout(() => window?.closed(), (warmupSeconds + seconds) * 1000),
  ];
  const latency = new Samples();
  const errors = new ErrorCounts();
  let completed = 0;
  let calls = 0;

  const caller = async (): Promise<void> => {
    while (now() < end) {
      const started = now();
      try {
        await operation(calls++);
        const ended = now();
        if (started >= measureFrom && ended <= end) {
          completed++;
          latency.add(ended - started);
        }
      } catch (err) {
        if (started >= measureFrom) errors.add(err instanceof Error ? err.name : 'error');
        await sleep(10); // a failing target must not turn the callers into a busy loop
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, caller));
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  return {
    concurrency,
    seconds,
    completed,
    per_s: round(completed / seconds),
    latency_ms: latency.summary(),
    errors: errors.total,
    error_kinds: errors.counts,
  };
}
