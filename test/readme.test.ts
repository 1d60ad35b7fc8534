import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../src/config';

const readme = fs.readFileSync(path.join(__dirname, '../README.md'), 'utf8');
const devScript = fs.readFileSync(path.join(__dirname, '../scripts/dev.sh'), 'utf8');

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

  it("shows the storefront's side in the quick start and the npm run dev banner: Prefer, the client_secret, Stripe.js", () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## The parts'));
    const banner = devScript.slice(devScript.indexOf('cat <<INFO'), devScript.indexOf('\nINFO\n'));
    for (const [where, text] of [
      ['README quick start', quickStart],
      ['npm run dev banner', banner],
    ] as const) {
      assert.match(text, /-H 'prefer: wait=5'/, `${where}: the POST with Prefer`);
      assert.match(text, /201/, `${where}: the early answer`);
      assert.match(text, /"client_secret":"pi_…_secret_…"/, `${where}: the client_secret it returns`);
      assert.match(text, /stripe\.confirmPayment\(/, `${where}: what the browser does with it`);
    }
    assert.match(
      quickStart,
      /```js\n[^`]*stripe\.elements\(\{ clientSecret \}\)[^`]*```/,
      'a Stripe.js snippet',
    );
  });
});
