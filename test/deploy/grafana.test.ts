/**
 * Grafana and Prometheus for docker-compose: the dashboard parses, queries only metric names the
 * service registers (src/observability/metrics.ts) plus at most two Temporal SDK worker metrics,
 * and shows every payments_* metric; the provisioning points at the compose Prometheus, which
 * scrapes the three roles.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  DASHBOARD_PATH,
  dashboardMetricNames,
  dashboardQueries,
  promqlMetricNames,
} from './dashboard-metrics';
import { REPO_ROOT } from '../support/repo';
import { readYamlFile } from './support';

/** payments_* series as /metrics exposes them: counters as named, histograms as _bucket/_sum/_count. */
function exportedSeries(): Set<string> {
  const source = fs.readFileSync(path.join(REPO_ROOT, 'src/observability/metrics.ts'), 'utf8');
  const series = new Set<string>();
  for (const [, type, name = ''] of source.matchAll(/new (Counter|Histogram|Gauge)\(\{\s*name: '([^']+)'/g)) {
    if (type === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(name + suffix);
    else series.add(name);
  }
  return series;
}

interface Dashboard {
  uid?: string;
  title?: string;
  panels: Array<{ type: string; title: string; datasource?: { uid?: string }; targets?: unknown[] }>;
}

describe('Grafana dashboard and Prometheus', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;

  it('extracts metric names from PromQL', () => {
    assert.deepEqual(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{status=~"5.."}[$__rate_interval]))) / on (job) b_total offset 5m + 1e3',
      ).sort(),
      ['a_seconds_bucket', 'b_total'],
    );
  });

  it('parses, and every panel queries the provisioned Prometheus datasource', () => {
    assert.ok(dashboard.uid && dashboard.title);
    const datasources = readYamlFile('deploy/grafana/provisioning/datasources/prometheus.yml') as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const [prometheus] = datasources.datasources;
    assert.equal(prometheus?.url, 'http://prometheus:9090');
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, prometheus.uid, panel.title);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title}: has queries`);
    }
  });

  it('queries only metrics the service exports, and at most two Temporal SDK metrics', () => {
    const exported = exportedSeries();
    const names = dashboardMetricNames();
    const temporal = names.filter((n) => n.startsWith('temporal_'));
    assert.ok(temporal.length <= 2, temporal.join(', '));
    const unknown = names.filter((n) => !n.startsWith('temporal_') && !exported.has(n));
    assert.deepEqual(unknown, [], 'not registered in src/observability/metrics.ts');
    assert.ok(dashboardQueries().length >= names.length);
  });

  it('shows every payments_* metric the service registers', () => {
    const names = new Set(dashboardMetricNames().map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const source = fs.readFileSync(path.join(REPO_ROOT, 'src/observability/metrics.ts'), 'utf8');
    for (const [, name = ''] of source.matchAll(/name: '(payments_[a-z_]+)'/g)) {
      assert.ok(names.has(name), `${name} is on the dashboard`);
    }
  });

  it('is loaded from the folder docker-compose mounts, and Prometheus scrapes all three roles', () => {
    const provider = readYamlFile('deploy/grafana/provisioning/dashboards/payments.yml') as {
      providers: Array<{ options: { path: string } }>;
    };
    const compose = fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    assert.ok(compose.includes(`./deploy/grafana/dashboards:${provider.providers[0]?.options.path}:ro`));
    const prometheus = readYamlFile('deploy/prometheus/prometheus.yml') as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const role of ['gateway', 'webhook-receiver', 'worker'])
      assert.ok(targets.includes(`${role}:8080`), role);
  });
});
