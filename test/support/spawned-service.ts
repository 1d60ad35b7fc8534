import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { bindOnFreePort } from '../../src/observability/loopback-port';
import { trackChild } from './children';
import { LOCAL_CODEC_KEYS } from './codec';
import { REPO_ROOT, SERVICE_MAIN } from './repo';
import { noteSecrets, teeChildOutput } from './test-logs';
import { waitUntil } from './wait';

export interface SpawnedService {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export interface BinaryProcess {
  readonly url: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts the compiled binary as an operator would: only `env` set (plus PATH, HOST=127.0.0.1 and a
 * free PORT), its stdout and stderr piped to `output`, tracked so that it never outlives this process.
 * Returns once it answers /healthz; SIGKILLs it when it does not within `timeoutMs`. The tests' and
 * the chaos roles' way to run it.
 */
export async function startBinary(options: {
  readonly env: Record<string, string>;
  /** dist/src/main.js unless another build is named. */
  readonly main?: string;
  readonly output: (child: ChildProcessByStdio<null, Readable, Readable>) => void;
  readonly timeoutMs: number;
  /** What it is, for the timeout's message. */
  readonly what: string;
}): Promise<BinaryProcess> {
  return bindOnFreePort(async (port) => {
    const child = spawn(process.execPath, [options.main ?? SERVICE_MAIN], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOST: '127.0.0.1',
        // Every process of a run shares the local key, as the services of one deployment share theirs.
        PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
        ...options.env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    options.output(child);
    // Its stderr, for a start that fails: a port taken since it was picked is tried again elsewhere.
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitUntil(
        async () => (child.exitCode !== null ? 'exited' : (await fetch(`${url}/healthz`)).ok && 'ready'),
        `${options.what} to answer /healthz`,
        options.timeoutMs,
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    if (outcome === 'exited') {
      await closed; // all it wrote has been read
      throw new Error(`${options.what} exited at start (code ${child.exitCode}): ${stderr}`);
    }
    return { url, child, exited };
  });
}

/**
 * Runs the compiled binary (`npm run build` output) as an operator would, with only `env` set. Its
 * output is also kept in a file of test-results/logs/ for the secret scan.
 */
export async function spawnService(env: Record<string, string>): Promise<SpawnedService> {
  let output = '';
  noteSecrets(env);
  let started: BinaryProcess;
  try {
    started = await startBinary({
      env,
      output: (child) => {
        teeChildOutput(child, `binary-${env['PAYMENTS_MODE'] ?? 'no-mode'}`);
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      },
      timeoutMs: 30_000,
      what: `the ${env['PAYMENTS_MODE']} binary`,
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- output ---\n${output}`, { cause: err });
  }
  const { url, child, exited } = started;
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the binary to exit and returns its code and output (for bad-config cases; kept as above). */
export function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    noteSecrets(env);
    const child = spawn(process.execPath, [SERVICE_MAIN], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    trackChild(child);
    teeChildOutput(child, 'binary-run-to-exit');
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
