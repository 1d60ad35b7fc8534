/**
 * The local stack, through its own scripts (which honour STACK_DIR and the STACK_*_PORT variables):
 * starts the parts that are not running, and at the end stops exactly those, like scripts/test.sh.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readEnvFile } from '../scripts/env-file';

export const STACK_PARTS = ['temporal', 'kafka', 'stripe-mock'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

export interface StackInfo {
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Pids of the parts our stack scripts manage (absent for external processes). */
  readonly pids: Partial<Record<StackPart, number>>;
  readonly startedByUs: readonly StackPart[];
}

function run(repoRoot: string, script: string, args: readonly string[], quiet: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn('bash', [path.join(repoRoot, 'scripts/stack', script), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', quiet ? 'ignore' : process.stderr, quiet ? 'ignore' : process.stderr],
    });
    proc.on('error', reject);
    proc.on('exit', (code) => resolve(code ?? 1));
  });
}

export function stackDir(repoRoot: string): string {
  return path.resolve(process.env['STACK_DIR'] ?? path.join(repoRoot, '.stack'));
}

function readPid(dir: string, part: StackPart): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'pids', `${part}.pid`), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class Stack {
  private started: StackPart[] = [];

  constructor(private readonly repoRoot: string) {}

  async up(): Promise<StackInfo> {
    const missing: StackPart[] = [];
    for (const part of STACK_PARTS) {
      if ((await run(this.repoRoot, 'status.sh', [part], true)) !== 0) missing.push(part);
    }
    // Recorded before up.sh runs, so an interrupted start is still cleaned up.
    this.started = missing;
    const code = await run(this.repoRoot, 'up.sh', [], false);
    if (code !== 0) throw new Error(`scripts/stack/up.sh failed with code ${code}`);
    const dir = stackDir(this.repoRoot);
    const pids: Partial<Record<StackPart, number>> = {};
    for (const part of STACK_PARTS) {
      const pid = readPid(dir, part);
      if (pid !== undefined) pids[part] = pid;
    }
    return { dir, env: readEnvFile(path.join(dir, 'stack.env')), pids, startedByUs: missing };
  }

  /** Stops the parts this run started; leaves the ones that were already running alone. */
  async down(): Promise<void> {
    const parts = this.started;
    this.started = [];
    if (parts.length === 0) return;
    process.stderr.write(`[bench] stopping the stack parts this run started: ${parts.join(' ')}\n`);
    await run(this.repoRoot, 'down.sh', parts, false);
  }
}
