/**
 * What `npm run test:unit` selects (scripts/test-unit.sh --list): the tests that need neither a
 * running stack nor Temporal's workflow runtime (which --workflows adds), chosen by folder and by
 * what they use of the support kit, so a new file lands on the right side by itself. Checked against
 * the test tree as it is, not against a list.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/repo';

function selection(...flags: string[]): Set<string> {
  const script = path.join(REPO_ROOT, 'scripts/test-unit.sh');
  const listed = execFileSync('bash', [script, '--list', ...flags], { encoding: 'utf8' });
  return new Set(listed.split('\n').filter((line) => line !== ''));
}

const all = fs
  .readdirSync(path.join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.posix.join('test', file.split(path.sep).join('/')));

/** The support modules a test file imports (`../support/wait`), by name. */
const supportImportsOf = (text: string) =>
  [...text.matchAll(/from '(?:\.{1,2}\/)+support\/([\w-]+)'/g)].map((m) => m[1] ?? '');
/** The support modules a support module imports (`./wait`), by name. */
const siblingImportsOf = (text: string) => [...text.matchAll(/from '\.\/([\w-]+)'/g)].map((m) => m[1] ?? '');

/**
 * What each support module needs beyond node_modules: the three that run the service or workflow
 * code, and every module that imports one of them (refunds-env imports workflow-env, so a test that
 * imports refunds-env runs workflow code).
 */
const supportNeeds = (() => {
  const found = new Map<string, string>([
    ['service', 'the service itself'],
    ['spawned-service', 'the service itself'],
    ['workflow-env', "Temporal's workflow runtime"],
  ]);
  const dir = path.join(REPO_ROOT, 'test/support');
  const imports = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({
      name: file.replace(/\.ts$/, ''),
      uses: siblingImportsOf(fs.readFileSync(path.join(dir, file), 'utf8')),
    }));
  for (let added = true; added;) {
    added = false;
    for (const { name, uses } of imports) {
      const need = uses.map((m) => found.get(m)).find((n) => n !== undefined);
      if (!found.has(name) && need !== undefined) {
        found.set(name, need);
        added = true;
      }
    }
  }
  return found;
})();

/** What a file needs beyond node_modules, or undefined when nothing. */
function needs(file: string): string | undefined {
  const folder = /^test\/(integration|ui|chaos|deploy)\//.exec(file)?.[1];
  if (folder !== undefined) return `what the ${folder} folder needs`;
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return supportImportsOf(text)
    .map((m) => supportNeeds.get(m))
    .find((n) => n !== undefined);
}

function assertSelects(selected: Set<string>, runs: (file: string) => boolean): void {
  const missing = all.filter((file) => runs(file) && !selected.has(file));
  const extra = [...selected].filter((file) => !runs(file)).map((file) => `${file} needs ${needs(file)}`);
  assert.deepEqual(missing, [], 'tests it should run, left out');
  assert.deepEqual(extra, [], 'tests that need more, selected');
}

describe('npm run test:unit', () => {
  it('selects exactly the tests that need nothing but node_modules', () => {
    assertSelects(selection(), (file) => needs(file) === undefined);
  });

  it('with --workflows, adds the tests that run workflow code (replay, the time-skipping test server)', () => {
    assertSelects(selection('--workflows'), (file) =>
      [undefined, "Temporal's workflow runtime"].includes(needs(file)),
    );
  });

  it('runs the config, API and service-table tests; not the stack, the binary or the workflow runtime', () => {
    const selected = selection();
    for (const file of ['test/config.test.ts', 'test/api/charges.test.ts', 'test/service.test.ts']) {
      assert.ok(selected.has(file), file);
    }
    for (const file of [
      'test/integration/charge-path.test.ts',
      'test/main.test.ts',
      'test/replay/replay.test.ts',
      'test/workflows/charge.test.ts',
    ]) {
      assert.ok(!selected.has(file), file);
    }
    assert.ok(selection('--workflows').has('test/replay/replay.test.ts'));
  });
});
