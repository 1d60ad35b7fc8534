/**
 * How a tool's run ends: what it set up is closed in reverse order, once, whether the run ends,
 * fails or is interrupted; on SIGINT/SIGTERM the registered clean-ups run and the process exits
 * 130/143 (a second signal exits at once); a failure prints its stack and exits 1.
 */

export const exitCodeOf = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : 143);

const stderrLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Closers of one run, run in reverse order, once (every caller gets the same promise). */
export class Cleanup {
  private readonly closers: Array<{ what: string; close: () => Promise<void> | void }> = [];
  private running: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void = stderrLine) {}

  add(what: string, close: () => Promise<void> | void): void {
    this.closers.push({ what, close });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { what, close } of this.closers.reverse()) {
        try {
          await close();
        } catch (err) {
          this.log(`cleanup of ${what} failed: ${message(err)}`);
        }
      }
    })();
    return this.running;
  }
}

const onInterrupt = new Set<() => Promise<void>>();

/**
 * Registers a clean-up for an interrupted run (stop its processes, start again a stack part an
 * outage left stopped); call the returned function once it is no longer needed.
 */
export function onInterruptCleanup(cleanup: () => Promise<void>): () => void {
  onInterrupt.add(cleanup);
  return () => onInterrupt.delete(cleanup);
}

/**
 * For a script: on SIGINT/SIGTERM run the registered clean-ups (the latest first), then exit
 * 130/143; a second signal exits at once. Returns what was received, if anything.
 */
export function exitOnInterrupt(log: (line: string) => void = stderrLine): () => NodeJS.Signals | undefined {
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      log(`${signal} again: exiting without waiting for the clean-up`);
      process.exit(exitCodeOf(signal));
    }
    received = signal;
    log(`${signal}: stopping everything this run started`);
    void (async () => {
      for (const cleanup of [...onInterrupt].reverse()) {
        await cleanup().catch((err: unknown) => log(`cleanup failed: ${message(err)}`));
      }
    })().finally(() => process.exit(exitCodeOf(signal)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => received;
}

/** The ending of every tool's main: its exit code, or a readable failure and exit 1. */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
