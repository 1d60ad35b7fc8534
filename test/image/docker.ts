/**
 * The image tests' one way to the Docker Engine: this checkout's engine (`npm run engine:up` writes
 * .stack/engine.env) through the engine's own client, with a private DOCKER_CONFIG. Secrets reach a
 * container as `-e NAME` with the value in the client's environment, never on a command line.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { readEnvFile } from '../../scripts/env-file';
import { REPO_ROOT } from '../support/repo';
import { waitUntil } from '../support/wait';

export const IMAGE = process.env['IMAGE_TAG'] ?? 'payments-service:dev';
export const BASE_IMAGE = 'node:24.19.0-bookworm-slim';

const STACK_DIR = process.env['STACK_DIR'] ?? path.join(REPO_ROOT, '.stack');
const engineFile = readEnvFile(path.join(STACK_DIR, 'engine.env'));

function engineValue(name: string): string {
  const value = process.env[name] ?? engineFile[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: start the engine with \`npm run engine:up\` (npm run test:image does it)`,
    );
  }
  return value;
}

const DOCKER_BIN = engineFile['ENGINE_DOCKER_BIN'] ?? '/usr/bin/docker';

function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    DOCKER_HOST: engineValue('DOCKER_HOST'),
    DOCKER_CONFIG: engineValue('DOCKER_CONFIG'),
    ...extra,
  };
}

export interface DockerResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `docker ARGS` to completion. `env` is the client's extra environment (for `-e NAME`). */
export function docker(args: readonly string[], env: Record<string, string> = {}): DockerResult {
  const result = spawnSync(DOCKER_BIN, args, {
    env: clientEnv(env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `docker ARGS`, failing the test with its output unless it exits 0; returns stdout trimmed. */
export function dockerOk(args: readonly string[], env: Record<string, string> = {}): string {
  const result = docker(args, env);
  if (result.status !== 0) {
    throw new Error(`docker ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout.trim();
}

/** `docker ARGS` without blocking the event loop (for things that take seconds, such as `stop`). */
export function dockerAsync(args: readonly string[]): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
    const child = spawn(DOCKER_BIN, args, { env: clientEnv(), stdio });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

export function inspect(target: string, format: string): string {
  return dockerOk(['inspect', '--format', format, target]);
}

/** `docker inspect` of a container or image, parsed (the first object). */
export function inspectJson<T>(target: string): T {
  const parsed = JSON.parse(dockerOk(['inspect', target])) as T[];
  const first = parsed[0];
  if (first === undefined) throw new Error(`docker inspect ${target} returned nothing`);
  return first;
}

export interface RoleContainer {
  readonly role: string;
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly id: string;
}

/**
 * One role from the image as production runs it: read-only root filesystem, the image's own user,
 * on the host's network (this engine has no bridge) bound to loopback on its own port.
 */
export function runRole(
  name: string,
  role: string,
  port: number,
  env: Record<string, string>,
): RoleContainer {
  const full: Record<string, string> = { ...env, PAYMENTS_MODE: role, PORT: String(port), HOST: '127.0.0.1' };
  const args = ['run', '--detach', '--name', name, '--network', 'host', '--read-only'];
  for (const key of Object.keys(full)) args.push('--env', key);
  args.push(IMAGE);
  const id = dockerOk(args, full);
  return { role, name, port, url: `http://127.0.0.1:${port}`, id: id.slice(0, 12) };
}

/** Waits for the image's own HEALTHCHECK to report `healthy`; returns the seconds it took. */
export async function waitHealthy(container: RoleContainer, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  await waitUntil(
    async () => {
      const status = inspect(container.name, '{{.State.Status}} {{.State.Health.Status}}');
      if (status.startsWith('exited') || status.startsWith('dead')) {
        throw new Error(`${container.name} ${status}:\n${docker(['logs', container.name]).stderr}`);
      }
      return status === 'running healthy';
    },
    `${container.name} (${container.role}) to report healthy through its HEALTHCHECK`,
    timeoutMs,
    500,
  );
  return (Date.now() - started) / 1000;
}

/** Removes the containers if they exist (start of a run, and the end whatever happened). */
export function removeContainers(names: readonly string[]): void {
  if (names.length > 0) docker(['rm', '--force', '--volumes', ...names]);
}

/** stdout and stderr of a container, in one string. */
export function logsOf(name: string): string {
  const result = docker(['logs', name]);
  return result.stdout + result.stderr;
}
