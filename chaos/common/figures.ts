/** The figures of a run as a two-column table on stdout, and as JSON under chaos/results/. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test/support/repo';
import type { Violations } from './violations';

export type Row = readonly [label: string, value: string | number];

export const RESULTS_DIR = path.join(REPO_ROOT, 'chaos/results');

export function formatTable(title: string, rows: readonly Row[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return `\n${title}\n${'─'.repeat(Math.max(title.length, width + 12))}\n${lines.join('\n')}\n`;
}

export function formatViolations(violations: Violations): string {
  if (violations.total === 0) return '\nviolations: none\n';
  const kinds = Object.entries(violations.byKind()).map(([kind, n]) => `  ${n} × ${kind}`);
  const examples = violations
    .examples()
    .slice(0, 30)
    .map((v) => `    - ${v.kind}${v.eventId ? ` [${v.eventId}]` : ''}${v.detail ? `: ${v.detail}` : ''}`);
  return `\nVIOLATIONS: ${violations.total}\n${kinds.join('\n')}\n  examples:\n${examples.join('\n')}\n`;
}

function gitDescription(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const head = git('rev-parse', '--short', 'HEAD').trim();
    return `${head}${git('status', '--porcelain', '--', 'src').trim() === '' ? '' : ' (src/ modified)'}`;
  } catch {
    return 'unknown';
  }
}

/** Writes `name` under chaos/results/ and returns its path. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  const body = { ...data, git: gitDescription(), written_at: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
