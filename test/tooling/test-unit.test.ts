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

/** What a file needs beyond node_modules, or undefined when nothing. */
function needs(file: string): string | undefined {
  const folder = /^test\/(integration|ui|chaos|deploy)\//.exec(file)?.[1];
  if (folder !== undefined) return `what the ${folder} folder needs`;
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  if (/support\/(spawned-)?service'/.test(text)) return 'the service itself';
  if (text.includes("support/workflow-env'")) return "Temporal's workflow runtime";
  return undefined;
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
