/**
 * No secret in any log of the run: the last file of `npm test` (files run sorted; `zz` sorts last)
 * reads what every process of the suites wrote, and the stack's own logs:
 *   - test-results/logs/: the compiled binaries spawned by test/support/spawned-service.ts, the chaos
 *     roles of test/chaos/chaos.test.ts and the in-process services of test/support/service.ts;
 *   - bench/results/logs/: the roles of the bench smoke run that `npm test` makes before this pass;
 *   - $STACK_DIR/logs/: Temporal, Kafka and stripe-mock.
 * It looks for every secret the suites handed to a process (each noted by the helper that started
 * it, plus the chaos and bench constants), and for anything shaped like a Stripe key, a webhook
 * signing secret or a PaymentIntent client_secret.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BENCH_API_TOKEN, BENCH_STRIPE_KEY, BENCH_WEBHOOK_SECRET } from '../bench/service';
import {
  CHAOS_API_TOKEN,
  CHAOS_PREVIOUS_WEBHOOK_SECRET,
  CHAOS_STRIPE_KEY,
  CHAOS_WEBHOOK_SECRET,
} from '../chaos/common/deployment';
import { LOCAL_CODEC_KEYS, LOCAL_CODEC_SERVER_TOKEN } from './support/codec';
import { TEST_API_TOKEN, TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from './support/service';
import { REPO_ROOT } from './support/repo';
import { stackDir } from './support/stack';
import { notedSecrets, TEST_LOG_DIR } from './support/test-logs';

const SUITES = 'the suites’ processes';

const SOURCES: ReadonlyArray<{ readonly name: string; readonly dir: string }> = [
  { name: SUITES, dir: TEST_LOG_DIR },
  { name: 'the bench smoke run', dir: path.join(REPO_ROOT, 'bench/results/logs') },
  { name: 'the stack', dir: path.join(stackDir(), 'logs') },
];

/** Secrets shorter than this could match ordinary text; the suites use none that short. */
const MIN_SECRET_LENGTH = 8;

const SHAPES: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  { what: 'a Stripe secret or restricted key', pattern: /\b[sr]k_(?:test|live)_[A-Za-z0-9_-]+/ },
  { what: 'a Stripe webhook signing secret', pattern: /\bwhsec_[A-Za-z0-9_-]+/ },
  { what: 'a PaymentIntent or SetupIntent client_secret', pattern: /_secret_[A-Za-z0-9]+/ },
];

function logFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.log'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

/** Shown in a failure without repeating the secret in the test's own output. */
function masked(secret: string): string {
  return `${secret.slice(0, 6)}… (${secret.length} characters)`;
}

function scan(files: readonly string[], secrets: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      const at = { file: path.relative(REPO_ROOT, file), line: index + 1 };
      for (const secret of secrets) {
        if (text.includes(secret)) findings.push({ ...at, what: `the secret ${masked(secret)}` });
      }
      for (const { what, pattern } of SHAPES) {
        const match = pattern.exec(text);
        if (match) findings.push({ ...at, what: `${what} (${masked(match[0])})` });
      }
    });
  }
  return findings;
}

describe('no secret in any log the suites and the stack wrote', () => {
  const bySource = SOURCES.map((source) => ({ ...source, files: logFiles(source.dir) }));
  const files = bySource.flatMap((source) => source.files);
  const secrets = [
    ...new Set([
      TEST_STRIPE_KEY,
      TEST_WEBHOOK_SECRET,
      TEST_API_TOKEN,
      CHAOS_STRIPE_KEY,
      CHAOS_WEBHOOK_SECRET,
      CHAOS_PREVIOUS_WEBHOOK_SECRET,
      CHAOS_API_TOKEN,
      BENCH_STRIPE_KEY,
      BENCH_WEBHOOK_SECRET,
      BENCH_API_TOKEN,
      // Every local process's codec key (also its material alone) and the stack's codec server token.
      LOCAL_CODEC_KEYS,
      ...LOCAL_CODEC_KEYS.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1)),
      LOCAL_CODEC_SERVER_TOKEN,
      ...notedSecrets(),
    ]),
  ].filter((secret) => secret.length >= MIN_SECRET_LENGTH);

  it('has logs to read: the suites’ own processes’ (with the service’s own lines in them), the bench smoke run’s and the stack’s, and the secrets the suites handed over', (t) => {
    for (const source of bySource) {
      t.diagnostic(`${source.files.length} log files of ${source.name} (${source.dir})`);
    }
    t.diagnostic(`${secrets.length} secrets to look for`);
    // A scan of nothing finds nothing: each source must have been written, or this pass proves nothing
    // (run it as the last file of `npm test`, after the suites and the bench smoke run).
    const missing = bySource
      .filter((source) => source.files.reduce((bytes, file) => bytes + fs.statSync(file).size, 0) === 0)
      .map(
        (source) =>
          `${source.name}: no log lines under ${path.relative(REPO_ROOT, source.dir) || source.dir}`,
      );
    const suites = bySource.find((s) => s.name === SUITES)?.files ?? [];
    const serviceStarts = suites.filter((file) =>
      fs.readFileSync(file, 'utf8').includes('"msg":"payments service started"'),
    ).length;
    t.diagnostic(`${serviceStarts} suite log files with a service's start line`);
    if (suites.length > 0 && serviceStarts === 0) {
      missing.push(`${SUITES}: no service's own log line (its start) in ${suites.length} files`);
    }
    if (notedSecrets().length === 0) {
      missing.push('the suites noted no secret they handed to a process (test-results/secrets)');
    }
    assert.deepEqual(missing, []);
  });

  it('finds none of the secrets handed to a process, nor anything shaped like a Stripe secret', () => {
    const findings = scan(files, secrets);
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line}: ${f.what}`),
      [],
      `${findings.length} secret(s) in the logs`,
    );
  });
});
