import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from './children';
import { freePort } from './ports';
import { SERVICE_MAIN } from './repo';
import { noteSecrets, teeChildOutput } from './test-logs';
import { waitUntil } from './wait';

export interface SpawnedService {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs the compiled binary (`npm run build` output) as an operator would, with only `env` set. Its
 * output is also kept in a file of test-results/logs/ for the secret scan.
 */
export async function spawnService(env: Record<string, string>): Promise<SpawnedService> {
  const port = await freePort();
  let output = '';
  noteSecrets(env);
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  teeChildOutput(child, `binary-${env['PAYMENTS_MODE'] ?? 'no-mode'}`);
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => child.exitCode === null && (await fetch(`${url}/healthz`)).ok,
      `the ${env['PAYMENTS_MODE']} binary to answer /healthz`,
      30_000,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- output ---\n${output}`, { cause: err });
  }
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
