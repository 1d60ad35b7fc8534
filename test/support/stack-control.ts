import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo';

const run = promisify(execFile);

/** Stops one part of the local stack (its data kept), as an outage would. */
export async function stopStackPart(part: 'temporal' | 'kafka' | 'stripe-mock'): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'scripts/stack/down.sh'), part], { cwd: REPO_ROOT });
}

/** Starts it again and returns once it answers. */
export async function startStackPart(part: 'temporal' | 'kafka' | 'stripe-mock'): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'scripts/stack/up.sh'), part], {
    cwd: REPO_ROOT,
    timeout: 120_000,
  });
}
