/**
 * npm run soak -- [--minutes 30] [--rate 10]: a steady load for a long time, the worker restarted
 * every 5 minutes, the RSS of every role sampled each minute. Prints the samples and whether RSS
 * stayed flat, writes chaos/results/soak-latest.json, exits 1 on a lost or repeated record on Kafka,
 * any other violation, or RSS growth. test/chaos/soak.test.ts runs the same code for 25 s.
 */
import path from 'node:path';
import { exitOnInterrupt, runMain } from '../../test/support/cleanup';
import { cliFlags } from '../../test/support/flags';
import { withOwnedStackParts } from '../../test/support/stack';
import { formatTable, formatViolations, RESULTS_DIR, writeResults, type Row } from '../common/figures';
import { randomSeed } from '../common/random';
import { serviceMain } from '../common/roles';
import { runSoak, SOAK_SHARES, soakRows, soakTrendRows } from './run';

const flags = cliFlags(
  process.argv.slice(2),
  'npm run soak -- [flags]: a long steady load with RSS sampling',
  {
    minutes: { default: 30, description: 'duration of the load' },
    rate: { default: 10, description: 'charges per second' },
    'worker-restart-minutes': { default: 5, description: 'worker rolled every this many minutes' },
    'sample-seconds': { default: 60, description: 'RSS sampling period' },
    'warmup-minutes': {
      default: 2,
      description: 'RSS judged from this age on (workers: half, at most 1 min)',
    },
    tolerance: { default: 0.1, description: 'allowed RSS growth after warm-up (0.1 = 10 %)' },
    'drain-seconds': { default: 300, description: 'how long charges may take to finish after the load' },
    seed: { default: 0, description: 'seed of the plan (0 = random)' },
  },
);

async function main(): Promise<number> {
  const report = await runSoak({
    minutes: flags.minutes,
    rate: flags.rate,
    workerRestartMinutes: flags['worker-restart-minutes'],
    sampleSeconds: flags['sample-seconds'],
    warmupMinutes: flags['warmup-minutes'],
    tolerance: flags.tolerance,
    seed: flags.seed || randomSeed(),
    shares: SOAK_SHARES,
    drainSeconds: flags['drain-seconds'],
    logDir: path.join(RESULTS_DIR, 'logs', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`),
    log: (line) => process.stdout.write(`[soak] ${line}\n`),
  });
  const sampleRows: Row[] = [...new Set(report.samples.map((s) => s.t))].map((t) => [
    `t = ${(t / 60).toFixed(1)} min`,
    report.samples
      .filter((s) => s.t === t)
      .map((s) => `${s.role} ${s.mb} MB`)
      .join(' · '),
  ]);
  process.stdout.write(formatTable('RSS samples', sampleRows));
  process.stdout.write(
    formatTable(
      `RSS after warm-up (flat = growth ≤ ${Math.round(flags.tolerance * 100)} %)`,
      soakTrendRows(report),
    ),
  );
  process.stdout.write(formatTable(`Soak ${report.runId} (seed ${report.seed})`, soakRows(report)));
  process.stdout.write(formatViolations(report.violations));
  const file = writeResults('soak-latest.json', {
    ...report,
    service_main: serviceMain(),
    violations: {
      total: report.violations.total,
      by_kind: report.violations.byKind(),
      examples: report.violations.examples(),
    },
  });
  process.stdout.write(`\n${report.passed ? 'PASSED' : 'FAILED'}; results in ${file}\n`);
  return report.passed ? 0 : 1;
}

exitOnInterrupt();
runMain('soak', () => withOwnedStackParts(main));
