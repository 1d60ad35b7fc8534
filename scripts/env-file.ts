import fs from 'node:fs';

/**
 * Reads a `KEY=value` file (.stack/stack.env, scripts/dev.env): no quotes, no expansion, `#`
 * comments. Missing file → empty. The one parser the scripts, tests, bench and chaos share.
 */
export function readEnvFile(file: string): Record<string, string> {
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
