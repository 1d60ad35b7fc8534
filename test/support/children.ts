/**
 * The child processes a tool starts (a test, the bench, a chaos run), tracked so that none outlives
 * it: whatever is still running when this process exits gets SIGKILL. Children are stopped by pid,
 * never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bindOnFreePort } from '../../src/observability/loopback-port';
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
  /** Unexpected exits by child name, e.g. "worker exited with code 1"; checked between phases. */
  private readonly exits = new Map<string, string>();

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
          this.exits.set(
            name,
            `${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}; its last lines:\n${logTail(logFile)}`,
          );
        resolve(code);
      });
      proc.on('error', (err) => {
        this.exits.set(name, `${name}: ${err.message}`);
        resolve(null);
      });
    });
    const child: Child = { name, pid: proc.pid, process: proc, logFile, exited };
    this.running.set(name, child);
    return child;
  }

  /** The unexpected exits so far, with the last lines each child wrote. */
  get failures(): string[] {
    return [...this.exits.values()];
  }

  assertHealthy(): void {
    if (this.exits.size > 0) throw new ChildFailure(this.failures.join('\n'));
  }

  /**
   * Forgets the exit of a child that failed to start and is started again under its name (its port
   * was taken: see startOnFreePort); its log file is rewritten by the new one.
   */
  dismiss(child: Child): void {
    this.exits.delete(child.name);
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

/**
 * Starts a child that must be told its port (PORT) on a free loopback port, and starts it again on
 * another one when it exits at start because that port was taken between the pick and its bind (by
 * another process picking at the same moment: the OS can hand the same free port to both). `start`
 * spawns it and returns what says it is ready; a failure at start names the child's last lines.
 */
export function startOnFreePort<T>(
  children: Children,
  start: (port: number) => { readonly child: Child; readonly ready: Promise<T> },
): Promise<T> {
  return bindOnFreePort(async (port) => {
    const { child, ready } = start(port);
    try {
      return await ready;
    } catch (err) {
      if (child.process.exitCode === null && child.process.signalCode === null) throw err;
      // Its exit is this start's failure, told here; a later start under its name is another child.
      children.dismiss(child);
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${message}; its last lines:\n${logTail(child.logFile)}`, { cause: err });
    }
  });
}

/** The last `lines` lines of a log file, indented, so a failure names its cause where it is read (a CI log). */
export function logTail(logFile: string, lines = 20): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return '  (no log)';
  }
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `  | ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
    .join('\n');
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
