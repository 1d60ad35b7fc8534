/**
 * npm run chaos:fuzz -- [--cases 10000] [--seed N]: invalid POST /charge bodies against a real
 * gateway on the local stack (no worker). Prints the figures, writes chaos/results/fuzz-charge.json,
 * exits 1 on any answer but 400, any answer without field-level errors, or any workflow started.
 */
import { exitOnInterrupt, runMain } from '../../test/support/cleanup';
import { cliFlags } from '../../test/support/flags';
import { withOwnedStackParts } from '../../test/support/stack';
import { formatTable, writeResults, type Row } from '../common/figures';
import { randomSeed } from '../common/random';
import { runChargeFuzz } from './run';

const flags = cliFlags(process.argv.slice(2), 'npm run chaos:fuzz -- [flags]: fuzz POST /charge', {
  cases: { default: 10_000, description: 'invalid bodies to send' },
  seed: { default: 0, description: 'seed of the cases (0 = random)' },
  concurrency: { default: 4, description: 'requests in flight' },
});

async function main(): Promise<number> {
  const report = await runChargeFuzz({
    cases: flags.cases,
    seed: flags.seed || randomSeed(),
    concurrency: flags.concurrency,
    log: (line) => process.stdout.write(`[fuzz] ${line}\n`),
  });
  const rows: Row[] = [
    ['cases (seed)', `${report.cases} (${report.seed})`],
    [
      'answers',
      Object.entries(report.byStatus)
        .map(([s, n]) => `${n}×${s}`)
        .join(' '),
    ],
    ['5xx or no answer', report.serverErrors],
    ['2xx (invalid body taken)', report.acceptedAnswers],
    ['4xx other than 400', report.wrongStatus],
    ['400 without errors[].field + reason', report.withoutFieldErrors],
    ['400 not naming the broken field', report.brokenFieldNotNamed],
    ['largest body', `${report.largestBodyBytes} bytes`],
    ['workflows started (Temporal visibility)', report.workflowsStarted],
    ['control charge accepted and counted', report.controlAccepted ? 'yes' : 'NO'],
    ['throughput', `${report.casesPerSecond} cases/s`],
    ['wall time', `${report.wallSeconds} s`],
  ];
  process.stdout.write(formatTable('POST /charge fuzz', rows));
  process.stdout.write(
    formatTable(
      'Cases by kind',
      Object.entries(report.byCategory).sort(([, a], [, b]) => b - a),
    ),
  );
  for (const f of report.failures.slice(0, 10)) {
    process.stdout.write(
      `  ✗ #${f.index} ${f.description}: ${f.problem}\n    body ${f.body}\n    answer ${f.answer}\n`,
    );
  }
  const file = writeResults('fuzz-charge.json', { ...report });
  process.stdout.write(`\n${report.passed ? 'PASSED' : 'FAILED'}; results in ${file}\n`);
  return report.passed ? 0 : 1;
}

exitOnInterrupt();
runMain('fuzz', () => withOwnedStackParts(main));
