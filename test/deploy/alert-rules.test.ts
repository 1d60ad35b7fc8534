/**
 * The alert rules (deploy/prometheus/alerts.yml): valid for Prometheus (`promtool check rules`),
 * behaving as their unit tests say (`promtool test rules`, a firing and a quiet case for every
 * alert), each with a runbook section in the README, querying only metrics the service exports, and
 * the same rules wherever they are deployed: compose's Prometheus, the local stack's, and the
 * production overlay's PrometheusRule. promtool comes from Debian's prometheus package, which
 * `npm run setup` puts on the machine before any test runs; this file only calls it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { prometheusRuleFor, PROMETHEUS_RULE_PATH, RULES_PATH } from '../../scripts/prometheus-rule';
import { SDK_ALERTED_COUNTERS, SDK_LATENCY_HISTOGRAMS } from '../../src/observability/temporal-sdk-metrics';
import { REPO_ROOT } from '../support/repo';
import { promqlMetricNames } from './dashboard-metrics';
import { objectsOfKind, readYamlFile, renderK8s, type K8sObject } from './support';

const PROMTOOL = '/usr/bin/promtool';
const TESTS_PATH = 'deploy/prometheus/alerts.test.yml';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}
interface RuleTests {
  rule_files: string[];
  tests: Array<{
    name: string;
    alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
  }>;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alert-rules-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function promtool(args: readonly string[]): { status: number | null; output: string } {
  if (!fs.existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} is missing: run \`npm run setup\` (npm test runs it first)`);
  }
  const result = spawnSync(PROMTOOL, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
const rules = (readYamlFile('deploy/prometheus/alerts.yml') as RulesFile).groups.flatMap((g) => g.rules);
const alertNames = rules.map((r) => r.alert);

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', RULES_PATH]);
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it('pass their promtool unit tests (deploy/prometheus/alerts.test.yml)', () => {
    const { status, output } = promtool(['test', 'rules', TESTS_PATH]);
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('the unit tests can fail: a rule whose threshold moved fails them', () => {
    // The same tests against a copy of the rules with one threshold raised tenfold.
    const dir = path.join(tmp, 'moved');
    fs.mkdirSync(dir);
    const moved = read('deploy/prometheus/alerts.yml').replace(
      'max by (reason) (payments_charges_overdue) > 0',
      'max by (reason) (payments_charges_overdue) > 10',
    );
    assert.notEqual(moved, read('deploy/prometheus/alerts.yml'));
    fs.writeFileSync(path.join(dir, 'alerts.yml'), moved);
    fs.copyFileSync(path.join(REPO_ROOT, TESTS_PATH), path.join(dir, 'alerts.test.yml'));
    const { status, output } = promtool(['test', 'rules', path.join(dir, 'alerts.test.yml')]);
    assert.notEqual(status, 0);
    assert.match(output, /alertname: PaymentsChargesOverdue/);
  });

  it('every alert has a unit test where it fires and one where it stays quiet', () => {
    const tests = readYamlFile(TESTS_PATH) as RuleTests;
    assert.deepEqual(tests.rule_files, ['alerts.yml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of alertNames) {
      const mine = cases.filter((c) => c.alertname === name);
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${name}: no case where it fires`,
      );
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${name}: no case where it stays quiet`,
      );
    }
    const unknown = cases.map((c) => c.alertname).filter((name) => !alertNames.includes(name));
    assert.deepEqual(unknown, [], 'cases for alerts that do not exist');
  });

  it('every alert has a severity, a summary, a description and a runbook section of the README', () => {
    const readme = read('README.md');
    // The Runbook is a section of "Operating it"; each alert is a subsection of it.
    const start = readme.indexOf('\n### Runbook\n');
    assert.ok(start >= 0, 'README has a Runbook section');
    const body = readme.slice(start + '\n### Runbook\n'.length);
    const end = body.search(/^#{2,3} /m);
    const runbook = end < 0 ? body : body.slice(0, end);
    const sections = new Map(
      [...runbook.matchAll(/^#### (.+)$/gm)].map((m) => [anchorOf(m[1] ?? ''), m[1] ?? '']),
    );
    for (const rule of rules) {
      assert.match(rule.labels?.['severity'] ?? '', /^(critical|warning)$/, rule.alert);
      assert.ok(rule.annotations?.['summary'] && rule.annotations['description'], rule.alert);
      const anchor = /^README\.md#(.+)$/.exec(rule.annotations['runbook_url'] ?? '')?.[1];
      assert.equal(anchor, anchorOf(rule.alert), `${rule.alert}: runbook_url names its own section`);
      assert.equal(
        sections.get(anchor),
        rule.alert,
        `${rule.alert}: README has "#### ${rule.alert}" under Runbook`,
      );
    }
    assert.deepEqual(
      [...sections.values()].filter((s) => /^Payments[A-Z]/.test(s) && !alertNames.includes(s)),
      [],
      'runbook sections of alerts that no longer exist',
    );
  });

  describe('query only metrics the service exports', () => {
    const source = (dir: string): string =>
      fs
        .readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => read(path.join(dir, f)))
        .join('\n');
    const src = source('src');
    // Registered with prom-client (histograms as _bucket/_sum/_count), created with the workflows'
    // metric meter (the name as a literal), the Temporal SDK's histograms, and Prometheus's own `up`.
    const exported = new Set<string>(['up']);
    for (const [, type, name = ''] of src.matchAll(/new (Counter|Histogram|Gauge)\(\{\s*name: '([^']+)'/g)) {
      if (type === 'Histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
      else exported.add(name);
    }
    for (const [, name = ''] of src.matchAll(/create(?:Counter|Histogram|Gauge)\(\s*'([^']+)'/g))
      exported.add(name);
    for (const name of SDK_LATENCY_HISTOGRAMS) exported.add(`temporal_${name}_bucket`);
    for (const name of SDK_ALERTED_COUNTERS) exported.add(`temporal_${name}`);
    const referenced = [...new Set(rules.flatMap((r) => promqlMetricNames(r.expr)))];

    it('every metric a rule reads is registered in src/ or is a Temporal SDK metric', () => {
      const unknown = referenced.filter((name) => !exported.has(name));
      assert.deepEqual(unknown, []);
      for (const name of [
        'payments_money_mismatches',
        'payments_late_outcomes',
        'temporal_workflow_task_schedule_to_start_latency_bucket',
      ]) {
        assert.ok(referenced.includes(name), name);
      }
    });
  });

  it('are the rules compose mounts next to its Prometheus configuration, and the local stack loads', () => {
    const compose = read('docker-compose.yml');
    assert.match(compose, /- \.\/deploy\/prometheus\/alerts\.yml:\/etc\/prometheus\/alerts\.yml:ro/);
    assert.match(compose, /- \.\/deploy\/prometheus\/prometheus\.yml:\/etc\/prometheus\/prometheus\.yml:ro/);
    const config = readYamlFile('deploy/prometheus/prometheus.yml') as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string }>;
    };
    assert.deepEqual(config.rule_files, ['alerts.yml']);
    assert.ok(
      config.scrape_configs.some((c) => c.job_name === 'payments'),
      'the job the rules expect (up{job="payments"})',
    );
    const { status, output } = promtool(['check', 'config', 'deploy/prometheus/prometheus.yml']);
    assert.equal(status, 0, output);
    assert.match(
      read('scripts/stack/lib.sh'),
      /^STACK_PROMETHEUS_RULES="\$REPO_ROOT\/deploy\/prometheus\/alerts\.yml"$/m,
    );
  });

  it('are, group for group, the production PrometheusRule (npm run alerts:k8s), which promtool accepts', () => {
    assert.equal(
      fs.readFileSync(PROMETHEUS_RULE_PATH, 'utf8'),
      prometheusRuleFor(fs.readFileSync(RULES_PATH, 'utf8')),
      'k8s/overlays/production/prometheus-rule.yaml is stale: run npm run alerts:k8s',
    );
    const [rule] = objectsOfKind<K8sObject & { spec: RulesFile }>(
      renderK8s('overlays/production'),
      'PrometheusRule',
    );
    assert.ok(rule);
    assert.deepEqual(rule.spec, readYamlFile('deploy/prometheus/alerts.yml'));
    const file = path.join(tmp, 'prometheus-rule-spec.json');
    fs.writeFileSync(file, JSON.stringify(rule.spec));
    const { status, output } = promtool(['check', 'rules', file]);
    assert.equal(status, 0, output);
    const [monitor] = objectsOfKind<K8sObject & { spec: { jobLabel: string } }>(
      renderK8s('overlays/production'),
      'PodMonitor',
    );
    assert.equal(monitor?.spec.jobLabel, 'app.kubernetes.io/name', 'pods scraped as job "payments"');
  });
});
