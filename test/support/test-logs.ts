/**
 * The run folder of the suites' process logs, which test/zz-secret-scan.test.ts reads at the end
 * (scripts/test.sh empties it when `npm test` starts).
 *
 * Every process a suite starts writes its output under test-results/logs/ (git-ignored): the
 * binaries spawned by spawned-service.ts, the chaos roles (the chaos test gives them a folder here)
 * and the in-process services of service.ts. Those two helpers also note the secrets they hand over
 * (the variables config.ts marks secret, from the environment the test built, never process.env)
 * under test-results/secrets/, so the scan knows each one, even a token with no recognisable shape.
 * The chaos and bench roles get constants the scan imports itself.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { REPO_ROOT } from './repo';

export const TEST_LOG_DIR = path.join(REPO_ROOT, 'test-results/logs');
export const TEST_SECRETS_DIR = path.join(REPO_ROOT, 'test-results/secrets');

const SECRET_VARIABLES: readonly string[] = CONFIG_VARIABLES.filter(
  (v) => 'secret' in v && v.secret === true,
).map((v) => v.name);

/** A new file path under the run folder: `<dir>/<name>-<unique>.log` (its folder created). */
export function testLogFile(name: string): string {
  fs.mkdirSync(TEST_LOG_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  return path.join(TEST_LOG_DIR, `${safe}-${process.pid}-${randomUUID().slice(0, 8)}.log`);
}

/** A new folder under the run folder, for a run that names its own files (the chaos roles). */
export function testLogFolder(name: string): string {
  const dir = testLogFile(name).replace(/\.log$/, '');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies the child's stdout and stderr into a new log file of the run folder; returns its path. */
export function teeChildOutput(child: ChildProcess, name: string): string {
  const file = testLogFile(name);
  const log = fs.createWriteStream(file, { flags: 'a' });
  let open = 2;
  const ended = () => {
    open -= 1;
    if (open === 0) log.end();
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) {
      ended();
      continue;
    }
    stream.on('data', (chunk: Buffer) => log.write(chunk));
    stream.once('close', ended);
  }
  return file;
}

/**
 * Notes the secret values in an environment a test built (comma-separated lists split), for the
 * scan. Call it with the test's own variables only: never with process.env.
 */
export function noteSecrets(env: Readonly<Record<string, string | undefined>>): void {
  const values = SECRET_VARIABLES.flatMap((name) => (env[name] ?? '').split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) return;
  fs.mkdirSync(TEST_SECRETS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(TEST_SECRETS_DIR, `${process.pid}-${randomUUID().slice(0, 8)}.json`),
    JSON.stringify([...new Set(values)]),
  );
}

/** Every secret noted so far by any process of the run. */
export function notedSecrets(): string[] {
  if (!fs.existsSync(TEST_SECRETS_DIR)) return [];
  return fs
    .readdirSync(TEST_SECRETS_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(fs.readFileSync(path.join(TEST_SECRETS_DIR, f), 'utf8')) as string[]);
}
