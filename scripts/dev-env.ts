/** Reads scripts/dev.env and .stack/stack.env (simple KEY=value files); the real environment wins. */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function parse(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

export function devEnv(): Record<string, string | undefined> {
  return {
    ...parse(path.join(ROOT, 'scripts/dev.env')),
    ...parse(path.join(process.env['STACK_DIR'] ?? path.join(ROOT, '.stack'), 'stack.env')),
    ...process.env,
  };
}
