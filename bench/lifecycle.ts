/** The run's lifecycle around the measurements: building, clean-up, and signals. */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../test/support/repo';

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Closers run in reverse order, once, whether the run ends, fails or is interrupted. */
export class Cleanup {
  private readonly closers: Array<{ what: string; close: () => Promise<void> | void }> = [];
  private running: Promise<void> | undefined;

  add(what: string, close: () => Promise<void> | void): void {
    this.closers.push({ what, close });
  }

  /** Idempotent: every caller gets the same promise. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const { what, close } of this.closers.reverse()) {
        try {
          await close();
        } catch (err) {
          log(`cleanup of ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return this.running;
  }
}

export function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn('npm', ['run', 'build', '--silent'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (${code})`))));
  });
}

export const exitCodeOf = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : 143);

/**
 * SIGINT/SIGTERM run the clean-up (children, proxy, stack parts this run started) and exit; a second
 * signal exits at once. Returns what was received, if anything.
 */
export function handleSignals(cleanup: Cleanup): () => NodeJS.Signals | undefined {
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      log(`${signal} again: exiting without waiting for the clean-up`);
      process.exit(exitCodeOf(signal));
    }
    received = signal;
    log(`${signal}: stopping everything this run started`);
    void cleanup.run().finally(() => process.exit(exitCodeOf(signal)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => received;
}
