/**
 * The metric names the Grafana dashboard queries, for comparing against a live /metrics:
 *
 *   import { dashboardMetricNames } from './test/deploy/dashboard-metrics';
 *   dashboardMetricNames(); // ['payments_charge_outcomes_total', 'payments_charges_total', ...]
 *
 * Names are as Prometheus exposes them, i.e. histograms with their _bucket suffix.
 */
import fs from 'node:fs';
import path from 'node:path';

export const DASHBOARD_PATH = path.resolve(__dirname, '../../deploy/grafana/dashboards/payments.json');

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** Metric names referenced by one PromQL expression (functions, labels, keywords and variables excluded). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ''); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const before = stripped[match.index - 1] ?? ' ';
    const after = stripped.slice(match.index + token.length).trimStart();
    if (/[0-9.$]/.test(before)) continue; // a number (1e3), a duration or a dashboard variable
    if (after.startsWith('(')) continue; // a function or aggregation
    if (KEYWORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

interface Panel {
  type?: string;
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every PromQL expression of the dashboard (rows' nested panels included), with its panel title. */
export function dashboardQueries(file: string = DASHBOARD_PATH): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const queries: Array<{ panel: string; expr: string }> = [];
  const visit = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined)
          queries.push({ panel: panel.title ?? '(untitled)', expr: target.expr });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** The distinct metric names the dashboard queries, sorted. */
export function dashboardMetricNames(file: string = DASHBOARD_PATH): string[] {
  return [...new Set(dashboardQueries(file).flatMap((q) => promqlMetricNames(q.expr)))].sort();
}
