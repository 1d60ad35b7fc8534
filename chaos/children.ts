/**
 * Every child process a chaos script starts is tracked here, so none outlives the script: SIGKILL on
 * exit. Runs register cleanups (stop their roles, start again a stack part an outage left stopped)
 * that an interrupted script (SIGINT/SIGTERM) runs before it exits.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();
let exitHookInstalled = false;

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
}

/** Registers a cleanup for an interrupted script; call the returned function once it is no longer needed. */
export function onInterruptCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** For CLI scripts: on SIGINT/SIGTERM run the registered cleanups, then `last`, then exit 130. */
export function cleanupOnInterrupt(last: () => Promise<void>): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping every process this script started…\n`);
    const run = async (): Promise<void> => {
      for (const cleanup of [...cleanups].reverse()) {
        await cleanup().catch((err: unknown) => process.stderr.write(`cleanup failed: ${String(err)}\n`));
      }
      await last();
    };
    void run()
      .catch((err: unknown) => process.stderr.write(`cleanup failed: ${String(err)}\n`))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
