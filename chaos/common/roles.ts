/**
 * The service's roles as separate processes of the compiled binary (`npm run build`), as they are
 * deployed: spawned with only their environment, logs to a file, killed or restarted on demand.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_MAIN } from '../../test/support/repo';
import { startBinary } from '../../test/support/spawned-service';

export type RoleName = 'gateway' | 'webhook-receiver' | 'worker' | 'all';

export interface RoleProcess {
  readonly role: RoleName;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** True once the process has exited, whoever ended it. */
  hasExited(): boolean;
}

/** The binary to run: CHAOS_SERVICE_MAIN overrides dist/src/main.js (e.g. a private build). */
export function serviceMain(): string {
  return process.env['CHAOS_SERVICE_MAIN'] ?? SERVICE_MAIN;
}

export async function spawnRole(
  role: RoleName,
  env: Record<string, string>,
  logFile: string,
): Promise<RoleProcess> {
  const main = serviceMain();
  if (!fs.existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const { url, child, exited } = await startBinary({
    env: { ...env, PAYMENTS_MODE: role },
    main,
    output: (proc) => {
      proc.stdout.pipe(log, { end: false });
      proc.stderr.pipe(log, { end: false });
      proc.once('exit', () => log.end());
    },
    timeoutMs: 60_000,
    what: `the ${role} binary (log: ${logFile})`,
  });
  return {
    role,
    url,
    pid: child.pid ?? -1,
    child,
    exited,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** SIGKILL (a crash: nothing drains) or SIGTERM (an orderly stop), then wait for the exit. */
export async function endRole(role: RoleProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
  if (!role.hasExited()) role.child.kill(signal);
  return role.exited;
}
