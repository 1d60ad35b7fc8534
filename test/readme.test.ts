import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../src/config';

const readme = fs.readFileSync(path.join(__dirname, '../README.md'), 'utf8');

describe('README', () => {
  it('documents exactly the environment variables the config module reads, with their defaults', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\| ([^|]+?)\s*\|/gm)].map((m) => [
      m[1],
      m[2]?.trim(),
    ]);
    assert.deepEqual(
      rows,
      CONFIG_VARIABLES.map((v) => [v.name, v.default]),
    );
  });

  it('gives the two quick-start commands', () => {
    assert.match(readme, /npm run dev/);
    assert.match(readme, /npm test/);
  });
});
