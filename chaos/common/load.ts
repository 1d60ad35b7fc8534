/**
 * Open-loop load: one charge every 1/rate seconds (never more than `maxInFlight` at once), whatever
 * the service is going through, as a dispatcher with a queue of orders would.
 */
import { sleep } from '../../test/support/wait';

export interface LoadProgress {
  readonly total: number;
  released: number;
  finished: number;
}

export interface LoadOptions {
  /** Charges per second. */
  readonly rate: number;
  readonly maxInFlight: number;
  /** Awaited before releasing charge `index`, e.g. to hold the last charge until every fault ran. */
  readonly gate?: (index: number) => Promise<void> | undefined;
}

export function newProgress(total: number): LoadProgress {
  return { total, released: 0, finished: 0 };
}

export async function runLoad<P, R>(
  plans: readonly P[],
  runOne: (plan: P) => Promise<R>,
  options: LoadOptions,
  progress: LoadProgress,
): Promise<R[]> {
  const running: Array<Promise<R>> = [];
  let due = Date.now();
  for (const [index, plan] of plans.entries()) {
    if (due > Date.now()) await sleep(due - Date.now());
    while (progress.released - progress.finished >= options.maxInFlight) await sleep(20);
    const gate = options.gate?.(index);
    if (gate) {
      await gate;
      // Go on at the rate from here: no burst of the charges the gate held back.
      due = Date.now();
    }
    progress.released += 1;
    running.push(
      runOne(plan).finally(() => {
        progress.finished += 1;
      }),
    );
    due += 1000 / options.rate;
  }
  return Promise.all(running);
}

/** Resolves once `fraction` of the charges have been released. */
export async function whenReleased(progress: LoadProgress, fraction: number): Promise<void> {
  while (progress.released < Math.ceil(progress.total * fraction)) await sleep(100);
}
