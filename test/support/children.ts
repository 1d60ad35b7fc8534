/**
 * The child processes a tool starts (a test, the bench, a chaos run), tracked so that none outlives
 * it: whatever is still running when this process exits gets SIGKILL. Children are stopped by pid,
 * never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './wait';

const tracked = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` (SIGKILL) if it is still running when this process exits. */
export function trackChild(child: ChildProcess): void {
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of tracked) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
}

export class ChildFailure extends Error {
  override readonly name = 'ChildFailure';
}

/**
 * Named children with a log file each (`<logDir>/<name>.log`), watched for exits nobody asked for,
 * and stopped together: SIGTERM, then SIGKILL after a grace time.
 */
export class Children {
  private readonly running = new Map<string, Child>();
  private stopping = false;
  /** Unexpected exits, e.g. "worker exited with code 1"; the run checks this between phases. */
  readonly failures: string[] = [];

  constructor(
    private readonly logDir: string,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    fs.mkdirSync(logDir, { recursive: true });
  }

  spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: { env: NodeJS.ProcessEnv; cwd: string; ipc?: boolean },
  ): Child {
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'w');
    const proc = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
    trackChild(proc);
    const exited = new Promise<number | null>((resolve) => {
      proc.on('exit', (code, signal) => {
        this.running.delete(name);
        if (!this.stopping)
          this.failures.push(`${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}`);
        resolve(code);
      });
      proc.on('error', (err) => {
        this.failures.push(`${name}: ${err.message}`);
        resolve(null);
      });
    });
    const child: Child = { name, pid: proc.pid, process: proc, logFile, exited };
    this.running.set(name, child);
    return child;
  }

  assertHealthy(): void {
    if (this.failures.length > 0) throw new ChildFailure(this.failures.join('; '));
  }

  /** SIGTERM to all, then SIGKILL to any still alive after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const child of all) child.process.kill('SIGTERM');
    const timedOut = Symbol('timeout');
    await Promise.all(
      all.map(async (child) => {
        const result = await Promise.race([child.exited, sleep(graceMs).then(() => timedOut)]);
        if (result === timedOut) {
          this.log(`${child.name} (pid ${child.pid}) ignored SIGTERM; sending SIGKILL`);
          child.process.kill('SIGKILL');
          await child.exited;
        }
      }),
    );
  }
}

/** Waits for the child's first IPC message of type `ready`, failing early if it exits. */
export function waitForIpcReady<T>(child: Child, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${child.name} not ready after ${timeoutMs} ms; see ${child.logFile}`)),
      timeoutMs,
    );
    child.process.on('message', (message: { type?: string; data?: T }) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.data as T);
      }
    });
    void child.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited while starting; see ${child.logFile}`));
    });
  });
}
