/**
 * The processes the bench starts: spawned with their own log files, watched for unexpected exits,
 * and stopped by pid (SIGTERM, then SIGKILL after a grace time) - never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from './clock';
import { HttpClient } from './http-client';

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

export class Children {
  private readonly running = new Map<string, Child>();
  private stopping = false;
  /** Unexpected exits, e.g. "worker exited with code 1"; the run checks this between phases. */
  readonly failures: string[] = [];

  constructor(private readonly logDir: string) {
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
          process.stderr.write(`[bench] ${child.name} (pid ${child.pid}) ignored SIGTERM; sending SIGKILL\n`);
          child.process.kill('SIGKILL');
          await child.exited;
        }
      }),
    );
  }
}

/** Polls `url` until it answers 200, failing early if the child exits. */
export async function waitForHttpOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  const http = new HttpClient(2);
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${child.name} exited while starting; see ${child.logFile}`);
      try {
        if ((await http.request('GET', url, { timeoutMs: 2000 })).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms; see ${child.logFile}`);
      await sleep(200);
    }
  } finally {
    http.close();
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
