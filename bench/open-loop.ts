/**
 * Open-model load: arrivals at a fixed rate whatever the system does. Each arrival has an intended
 * send time on a fixed schedule; callers measure latency from that instant, so a slow server (or a
 * slow generator) shows up as latency instead of silently lowering the offered rate (coordinated
 * omission).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sleep } from '../test/support/wait';
import { now } from './clock';

export interface OpenLoopResult {
  readonly scheduled: number;
  /** How late, at worst, the generator itself fired an arrival (its own CPU starvation). */
  readonly maxFireLagMs: number;
}

/** Calls `fire(i, intendedMs)` `rate * seconds` times on schedule; `fire` must not block. */
export async function openLoop(
  rate: number,
  seconds: number,
  fire: (index: number, intendedMs: number) => void,
  signal?: AbortSignal,
): Promise<OpenLoopResult> {
  const count = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const start = now() + 5;
  let maxFireLagMs = 0;
  for (let i = 0; i < count && !signal?.aborted; i++) {
    const due = start + i * interval;
    const wait = due - now();
    if (wait > 0.5) await sleep(wait, signal);
    else if (i % 16 === 0) await yieldToLoop(); // behind schedule: still let responses be handled
    maxFireLagMs = Math.max(maxFireLagMs, now() - due);
    fire(i, due);
  }
  return { scheduled: count, maxFireLagMs };
}
