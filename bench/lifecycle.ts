/** The bench's log lines, and building the service before a run. */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../test/support/repo';

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

export function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn('npm', ['run', 'build', '--silent'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (${code})`))));
  });
}
