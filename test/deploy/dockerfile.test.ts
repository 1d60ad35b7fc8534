/**
 * The Dockerfile: hadolint-clean at the strictest threshold (any ignored rule needs an explanatory
 * comment), Node 24 pinned by exact tag, a multi-stage build with the workflow bundle prebuilt,
 * a non-root numeric user, node as PID 1, no secrets; and a .dockerignore that lets in exactly
 * what the Dockerfile copies.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../../src/config';
import { REPO_ROOT } from '../support/repo';
import { runTool } from './support';

const text = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-hadolint-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions per stage (continuation lines joined, comments dropped). */
function stages(): Array<{ from: string; name: string | undefined; instructions: Instruction[] }> {
  const joined = text.replace(/\\\n/g, ' ');
  const result: Array<{ from: string; name: string | undefined; instructions: Instruction[] }> = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, op = '', args = ''] = match;
    if (op === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      result.push({ from, name, instructions: [] });
    } else result.at(-1)?.instructions.push({ op, args: args.trim() });
  }
  return result;
}

function lint(file: string) {
  const config = path.join(tmp, 'hadolint.yaml');
  fs.writeFileSync(config, 'ignored: []\n'); // hermetic: no user or repository config applies
  return runTool('hadolint', ['--config', config, '--failure-threshold', 'style', '--no-color', file]);
}

describe('Dockerfile', () => {
  it('passes hadolint at the strictest threshold', () => {
    const result = lint(path.join(REPO_ROOT, 'Dockerfile'));
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('(hadolint itself catches a bad Dockerfile)', () => {
    const bad = path.join(tmp, 'Dockerfile.bad');
    fs.writeFileSync(bad, 'FROM node:latest\nRUN apt-get install curl\n');
    assert.notEqual(lint(bad).status, 0);
  });

  it('explains every inline hadolint ignore in the comment line above it', () => {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (!/#\s*hadolint\s+ignore=/.test(line)) return;
      assert.match(lines[i - 1] ?? '', /^\s*#\s*\S.{10,}/, `line ${i + 1}: ignore without a reason`);
    });
  });

  it('builds every stage on the same Node 24 image, pinned by exact version tag', () => {
    const froms = stages().map((s) => s.from);
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const from of froms) assert.match(from, /^node:24\.\d+\.\d+-[a-z]+-slim$/, from);
    assert.equal(new Set(froms).size, 1, 'one base for all stages (native modules must match)');
  });

  it('prebuilds the workflow bundle and installs production dependencies only for the runtime', () => {
    const all = stages();
    const runs = (name: string) =>
      all
        .find((s) => s.name === name)
        ?.instructions.filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n') ?? '';
    assert.match(runs('build'), /npm ci\b/);
    assert.match(runs('build'), /npm run build/);
    assert.match(runs('build'), /dist\/workflow-bundle\.js/);
    assert.match(runs('prod-deps'), /npm ci --omit=dev/);
    const runtime = all.at(-1);
    assert.equal(runtime?.name, 'runtime');
    const copies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    assert.deepEqual(copies, [
      '--from=prod-deps /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
      'package.json ./',
    ]);
  });

  it('runs node dist/src/main.js as PID 1, as a numeric non-root user, on port 8080', () => {
    const runtime = stages().at(-1)?.instructions ?? [];
    const last = (op: string) => runtime.filter((i) => i.op === op).at(-1)?.args;
    const user = /^(\d+)(?::(\d+))?$/.exec(last('USER') ?? '');
    assert.ok(user && Number(user[1]) > 0, `USER ${last('USER')}`);
    assert.equal(last('CMD'), '["node", "dist/src/main.js"]');
    assert.equal(last('ENTRYPOINT'), undefined);
    assert.equal(last('EXPOSE'), '8080');
    assert.match(
      runtime
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' '),
      /NODE_ENV=production/,
    );
    // The service binds loopback by default; inside a container it must listen on every interface.
    assert.match(
      runtime
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' '),
      /HOST=0\.0\.0\.0/,
    );
  });

  it('bakes no secret into the image', () => {
    const secrets = CONFIG_VARIABLES.filter((v) => 'secret' in v && v.secret).map((v) => v.name);
    assert.ok(secrets.includes('STRIPE_KEY'));
    for (const { instructions } of stages()) {
      for (const { op, args } of instructions.filter((i) => i.op === 'ENV' || i.op === 'ARG')) {
        for (const name of secrets) assert.ok(!args.includes(name), `${op} ${args}`);
      }
    }
  });

  it('has a .dockerignore that admits exactly what the Dockerfile copies from the context', () => {
    const patterns = fs
      .readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(patterns[0], '*', 'allowlist: everything is excluded first');
    const admitted = new Set(
      patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, '')),
    );
    const copied = new Set<string>();
    for (const { instructions } of stages()) {
      for (const { args } of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
        const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) copied.add(source.replace(/\/$/, ''));
      }
    }
    assert.deepEqual([...admitted].sort(), [...copied].sort());
    for (const source of copied) assert.ok(fs.existsSync(path.join(REPO_ROOT, source)), source);
    assert.ok(patterns.includes('**/node_modules'));
  });
});
