/**
 * test/support is the kit that bench/, chaos/ and the tests build on; it never imports them back,
 * so the tools can change without reaching into the tests' support and no import cycle runs
 * through the kit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/repo';

const SUPPORT = path.join(REPO_ROOT, 'test/support');

function specifiers(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import|require\()\s*'([^']+)'/g)].map((m) => m[1] ?? '');
}

describe('test/support (the tooling kit)', () => {
  it('imports nothing from bench/ or chaos/', () => {
    const files = fs
      .readdirSync(SUPPORT, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 10, `test/support has ${files.length} files`);
    const reaching = files.flatMap((file) =>
      specifiers(path.join(SUPPORT, file))
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => path.relative(REPO_ROOT, path.resolve(SUPPORT, path.dirname(file), spec)))
        .filter((target) => /^(bench|chaos)(\/|$)/.test(target))
        .map((target) => `test/support/${file} -> ${target}`),
    );
    assert.deepEqual(reaching, []);
  });
});
