/** Reads scripts/dev.env and .stack/stack.env (simple KEY=value files); the real environment wins. */
import path from 'node:path';
import { readEnvFile } from './env-file';

const ROOT = path.resolve(__dirname, '..');

export function devEnv(): Record<string, string | undefined> {
  return {
    ...readEnvFile(path.join(ROOT, 'scripts/dev.env')),
    ...readEnvFile(path.join(process.env['STACK_DIR'] ?? path.join(ROOT, '.stack'), 'stack.env')),
    ...process.env,
  };
}
