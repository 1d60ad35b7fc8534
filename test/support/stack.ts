/**
 * The local stack (scripts/stack/: Temporal dev server, Kafka, stripe-mock, the Stripe test-mode
 * stand-in) as the tests, bench/ and chaos/ see it:
 *   - where it is: $STACK_DIR, else <repo>/.stack;
 *   - its addresses: the environment first (`npm test` exports stack.env), then that stack's
 *     stack.env, read at each call, so a script that starts the stack itself sees what up.sh wrote;
 *   - its parts, checked, started and stopped with scripts/stack/{status,up,down}.sh on the ports
 *     *that* stack.env names (an explicit STACK_*_PORT wins), so a run against STACK_DIR=/tmp/x never
 *     starts or stops anything on the default ports.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../../scripts/env-file';
import { onInterruptCleanup } from './cleanup';
import { REPO_ROOT } from './repo';

export const STACK_PARTS = ['temporal', 'kafka', 'stripe-mock', 'stripe-standin', 'codec-server'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

/** The variables up.sh writes to stack.env. */
export type StackVariable =
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_UI_URL'
  | 'TEMPORAL_TEST_SERVER_PATH'
  | 'KAFKA_BROKERS'
  | 'STRIPE_API_BASE'
  | 'STRIPE_MOCK_URL'
  | 'CODEC_SERVER_URL';

export function stackDir(): string {
  return path.resolve(process.env['STACK_DIR'] ?? path.join(REPO_ROOT, '.stack'));
}

/** The stack.env of the stack in effect, as up.sh last wrote it (empty when there is none). */
export function readStackEnv(): Record<string, string> {
  return readEnvFile(path.join(stackDir(), 'stack.env'));
}

function lookup(name: StackVariable): string | undefined {
  const fromEnv = process.env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fromFile = readStackEnv()[name];
  return fromFile === '' ? undefined : fromFile;
}

/** A stack address: the environment's, else stack.env's; a test that needs the stack fails loudly without it. */
export function stackValue(name: StackVariable): string {
  const value = lookup(name);
  if (value === undefined) {
    throw new Error(
      `${name} is not set and ${path.join(stackDir(), 'stack.env')} does not name it: start the local ` +
        'stack with `npm run stack:up` (npm test does it for you)',
    );
  }
  return value;
}

export const stack = {
  get temporalAddress() {
    return stackValue('TEMPORAL_ADDRESS');
  },
  get temporalNamespace() {
    return lookup('TEMPORAL_NAMESPACE') ?? 'default';
  },
  get temporalUiUrl() {
    return stackValue('TEMPORAL_UI_URL');
  },
  get kafkaBrokers() {
    return stackValue('KAFKA_BROKERS');
  },
  /** The stack's Stripe stand-in (STRIPE_API_BASE: a test tool with state, in front of stripe-mock). */
  get stripeStandinUrl() {
    return stackValue('STRIPE_API_BASE');
  },
  /** stripe-mock itself: stateless fixtures, for roles that make no Stripe call and the stand-ins' upstream. */
  get stripeMockUrl() {
    return stackValue('STRIPE_MOCK_URL');
  },
  get temporalTestServerPath() {
    return stackValue('TEMPORAL_TEST_SERVER_PATH');
  },
  /** The codec server the Web UI calls (its token: test/support/codec.ts). */
  get codecServerUrl() {
    return stackValue('CODEC_SERVER_URL');
  },
};

export interface StackAddresses {
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  readonly kafkaBrokers: string;
  readonly stripeMockUrl: string;
}

/** The addresses a run connects to, read once. */
export function stackAddresses(): StackAddresses {
  return {
    temporalAddress: stack.temporalAddress,
    temporalNamespace: stack.temporalNamespace,
    kafkaBrokers: stack.kafkaBrokers,
    stripeMockUrl: stack.stripeMockUrl,
  };
}

const portOf = (address: string | undefined): string | undefined =>
  address === undefined ? undefined : /:(\d+)\/?$/.exec(address.split(',')[0] ?? '')?.[1];

/**
 * The environment for scripts/stack/*.sh: STACK_DIR (absolute) and the STACK_*_PORT variables of the
 * ports this stack was started on (stack.env; Kafka's controller port from its server.properties).
 * Without them the scripts would fall back to their default ports (7233, 9092, 12111, 12112, ...), i.e. to
 * another stack. A STACK_*_PORT set in the environment wins.
 */
export function stackScriptEnv(): NodeJS.ProcessEnv {
  const dir = stackDir();
  const file = readStackEnv();
  const properties = path.join(dir, 'kafka/server.properties');
  const controllerPort = /controller\.quorum\.voters=\d+@[^:]+:(\d+)/.exec(
    fs.existsSync(properties) ? fs.readFileSync(properties, 'utf8') : '',
  )?.[1];
  const derived: Record<string, string | undefined> = {
    STACK_TEMPORAL_PORT: portOf(file['TEMPORAL_ADDRESS']),
    STACK_TEMPORAL_UI_PORT: portOf(file['TEMPORAL_UI_URL']),
    STACK_KAFKA_PORT: portOf(file['KAFKA_BROKERS']),
    STACK_KAFKA_CONTROLLER_PORT: controllerPort,
    STACK_STRIPE_MOCK_PORT: portOf(file['STRIPE_MOCK_URL']),
    STACK_STRIPE_STANDIN_PORT: portOf(file['STRIPE_API_BASE']),
    STACK_CODEC_SERVER_PORT: portOf(file['CODEC_SERVER_URL']),
  };
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_DIR: dir };
  for (const [name, port] of Object.entries(derived)) {
    if ((env[name] ?? '') === '' && port !== undefined) env[name] = port;
  }
  return env;
}

export interface StackScriptOptions {
  /** Show the script's output on our stderr (the bench does); otherwise it is kept for the error. */
  readonly echo?: boolean;
}

/** A hung script still ends: up.sh bounds each part's start itself, this bounds the whole script. */
const SCRIPT_TIMEOUT_MS = 600_000;

function runStackScript(
  script: 'up.sh' | 'down.sh' | 'status.sh',
  parts: readonly StackPart[],
  options: StackScriptOptions = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const out = options.echo ? process.stderr : 'pipe';
    const child = spawn('bash', [path.join(REPO_ROOT, 'scripts/stack', script), ...parts], {
      cwd: REPO_ROOT,
      env: stackScriptEnv(),
      stdio: ['ignore', out, out],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), SCRIPT_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? 1 : 128), output });
    });
  });
}

async function mustRun(
  script: 'up.sh' | 'down.sh',
  parts: readonly StackPart[],
  options?: StackScriptOptions,
): Promise<void> {
  const { code, output } = await runStackScript(script, parts, options);
  if (code !== 0) {
    const command = ['scripts/stack/' + script, ...parts].join(' ');
    throw new Error(`${command} failed with code ${code}${output === '' ? '' : `:\n${output}`}`);
  }
}

/** Whether the part answers on this stack's port (scripts/stack/status.sh). */
export async function stackPartRunning(part: StackPart): Promise<boolean> {
  return (await runStackScript('status.sh', [part])).code === 0;
}

/** Starts parts (up.sh: reuses running ones) and returns once they answer. */
export async function startStackParts(
  parts: readonly StackPart[],
  options?: StackScriptOptions,
): Promise<void> {
  if (parts.length > 0) await mustRun('up.sh', parts, options);
}

/** Stops parts, their data kept (down.sh), as an outage would. */
export async function stopStackParts(
  parts: readonly StackPart[],
  options?: StackScriptOptions,
): Promise<void> {
  if (parts.length > 0) await mustRun('down.sh', parts, options);
}

/** Pids of the parts the stack scripts started and that are alive (absent for external processes). */
export function stackPids(): Partial<Record<StackPart, number>> {
  const pids: Partial<Record<StackPart, number>> = {};
  for (const part of STACK_PARTS) {
    try {
      const pid = Number(fs.readFileSync(path.join(stackDir(), 'pids', `${part}.pid`), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`)) pids[part] = pid;
    } catch {
      // not started by the stack scripts
    }
  }
  return pids;
}

/**
 * The stack parts one run starts and stops again at its end, as scripts/test.sh does: those that
 * were not running when it began. Parts that were already running are left alone.
 */
export class OwnedStackParts {
  private owned: StackPart[] = [];

  constructor(private readonly options: StackScriptOptions = {}) {}

  /** The parts this run started and has not stopped yet. */
  get started(): readonly StackPart[] {
    return this.owned;
  }

  /**
   * Starts the parts that are not running and returns them. up.sh runs for every part: it waits
   * until the running ones answer too, and rewrites stack.env.
   */
  async up(): Promise<readonly StackPart[]> {
    const missing: StackPart[] = [];
    for (const part of STACK_PARTS) if (!(await stackPartRunning(part))) missing.push(part);
    // Recorded before up.sh runs, so an interrupted start is still cleaned up.
    this.owned = missing;
    await startStackParts(STACK_PARTS, this.options);
    return missing;
  }

  /** Stops the parts this run started (idempotent). */
  async down(): Promise<void> {
    const parts = this.owned;
    this.owned = [];
    await stopStackParts(parts, this.options);
  }
}

/**
 * For a script that brings the stack up itself: starts the parts that are not running, runs `body`,
 * and stops those parts again when it ends or fails, and on SIGINT/SIGTERM (after the clean-ups the
 * run registered itself) when the script exits on them (exitOnInterrupt).
 */
export async function withOwnedStackParts<T>(body: () => Promise<T>): Promise<T> {
  const parts = new OwnedStackParts();
  const unregister = onInterruptCleanup(() => parts.down());
  try {
    await parts.up();
    return await body();
  } finally {
    unregister();
    await parts.down();
  }
}
