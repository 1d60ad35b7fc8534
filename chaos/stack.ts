/**
 * The local stack as the chaos scripts see it: its addresses (the environment first, then the
 * stack.env of the STACK_DIR in effect, read fresh) and its parts, stopped and started with
 * scripts/stack/{down,up}.sh on the ports of *that* stack, so a run against STACK_DIR=/tmp/x never
 * touches the default stack.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../test/support/repo';
import { readEnvFile } from '../scripts/env-file';

const run = promisify(execFile);

export const STACK_PARTS = ['temporal', 'kafka', 'stripe-mock'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

const STACK_ENV_NAMES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'TEMPORAL_TEST_SERVER_PATH',
  'KAFKA_BROKERS',
  'STRIPE_API_BASE',
] as const;

export interface StackAddresses {
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  readonly kafkaBrokers: string;
  readonly stripeApiBase: string;
}

export function stackDir(): string {
  return path.resolve(process.env['STACK_DIR'] ?? path.join(REPO_ROOT, '.stack'));
}

function value(name: (typeof STACK_ENV_NAMES)[number]): string | undefined {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return readEnvFile(path.join(stackDir(), 'stack.env'))[name];
}

export function stackAddresses(): StackAddresses {
  const need = (name: (typeof STACK_ENV_NAMES)[number]): string => {
    const found = value(name);
    if (found === undefined || found === '') {
      throw new Error(
        `${name} is unknown: no ${path.join(stackDir(), 'stack.env')} and not in the environment`,
      );
    }
    return found;
  };
  return {
    temporalAddress: need('TEMPORAL_ADDRESS'),
    temporalNamespace: value('TEMPORAL_NAMESPACE') ?? 'default',
    kafkaBrokers: need('KAFKA_BROKERS'),
    stripeApiBase: need('STRIPE_API_BASE'),
  };
}

/**
 * Puts the stack's addresses into process.env (where not already set), so the shared test helpers
 * (kafka-reader, service) that read them at call time use this stack too.
 */
export function exportStackEnv(): void {
  for (const name of STACK_ENV_NAMES) {
    const found = value(name);
    if (found !== undefined && (process.env[name] ?? '') === '') process.env[name] = found;
  }
}

function portOf(address: string | undefined): string | undefined {
  return address === undefined ? undefined : /:(\d+)\/?$/.exec(address.split(',')[0] ?? '')?.[1];
}

/** The STACK_* variables up.sh/down.sh need to address the same stack as stack.env names. */
function scriptEnv(): NodeJS.ProcessEnv {
  const dir = stackDir();
  const controllerPort = /controller\.quorum\.voters=\d+@[^:]+:(\d+)/.exec(
    fs.existsSync(path.join(dir, 'kafka/server.properties'))
      ? fs.readFileSync(path.join(dir, 'kafka/server.properties'), 'utf8')
      : '',
  )?.[1];
  const derived: Record<string, string | undefined> = {
    STACK_TEMPORAL_PORT: portOf(value('TEMPORAL_ADDRESS')),
    STACK_TEMPORAL_UI_PORT: portOf(value('TEMPORAL_UI_URL')),
    STACK_KAFKA_PORT: portOf(value('KAFKA_BROKERS')),
    STACK_KAFKA_CONTROLLER_PORT: controllerPort,
    STACK_STRIPE_MOCK_PORT: portOf(value('STRIPE_API_BASE')),
  };
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_DIR: dir };
  for (const [name, port] of Object.entries(derived)) {
    // An explicit STACK_*_PORT wins; otherwise the port this stack was started on.
    if ((env[name] ?? '') === '' && port !== undefined) env[name] = port;
  }
  return env;
}

async function stackScript(script: 'up.sh' | 'down.sh' | 'status.sh', parts: readonly StackPart[]) {
  return run('bash', [path.join(REPO_ROOT, 'scripts/stack', script), ...parts], {
    cwd: REPO_ROOT,
    env: scriptEnv(),
    timeout: 180_000,
  });
}

export async function partRunning(part: StackPart): Promise<boolean> {
  try {
    await stackScript('status.sh', [part]);
    return true;
  } catch {
    return false;
  }
}

/** Stops one part (its data kept), as an outage would. */
export async function stopPart(part: StackPart): Promise<void> {
  await stackScript('down.sh', [part]);
}

/** Starts parts and returns once they answer. */
export async function startParts(parts: readonly StackPart[]): Promise<void> {
  if (parts.length > 0) await stackScript('up.sh', parts);
}

/** Starts the parts that are not running and returns exactly those, for the caller to stop at the end. */
export async function ensureStack(): Promise<StackPart[]> {
  const missing: StackPart[] = [];
  for (const part of STACK_PARTS) if (!(await partRunning(part))) missing.push(part);
  await startParts(missing);
  exportStackEnv();
  return missing;
}

export async function stopParts(parts: readonly StackPart[]): Promise<void> {
  if (parts.length > 0) await stackScript('down.sh', parts);
}
