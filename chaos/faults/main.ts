/**
 * npm run chaos -- [--charges 1000] [--help]: the chaos run against the local stack of STACK_DIR
 * (parts that are not running are started, and stopped again at the end). Prints the figures, writes
 * chaos/results/latest.json, exits 1 on any violation.
 */
import path from 'node:path';
import { exitOnInterrupt, runMain } from '../../test/support/cleanup';
import { cliFlags } from '../../test/support/flags';
import { withOwnedStackParts } from '../../test/support/stack';
import { formatTable, formatViolations, RESULTS_DIR, writeResults } from '../common/figures';
import { randomSeed } from '../common/random';
import { serviceMain } from '../common/roles';
import { chaosRows } from './report';
import { DEFAULT_SHARES, runChaos } from './run';

const flags = cliFlags(
  process.argv.slice(2),
  'npm run chaos -- [flags]: charges through the real stack while processes die',
  {
    charges: { default: 1000, description: 'charges to run' },
    rate: { default: 10, description: 'charges released per second' },
    'max-in-flight': { default: 200, description: 'charges in flight at most' },
    'worker-kills': { default: 3, description: 'worker SIGKILLs (each followed by a restart)' },
    'kafka-restarts': { default: 1, description: 'Kafka broker stops and starts' },
    'temporal-restarts': { default: 1, description: 'Temporal dev server stops and starts' },
    'stripe-latency-ms': {
      default: 300,
      description: 'delay of PaymentIntent creates at the Stripe stand-in',
    },
    'outage-seconds': { default: 5, description: 'how long Kafka / Temporal stay down' },
    'drain-seconds': { default: 300, description: 'how long charges may take to finish after the load' },
    'duplicate-posts': {
      default: DEFAULT_SHARES.duplicatePosts,
      description: 'share of charges POSTed again',
    },
    'messy-webhooks': {
      default: DEFAULT_SHARES.messyWebhooks,
      description: 'share of charges with duplicated, re-ordered webhooks',
    },
    failed: { default: DEFAULT_SHARES.failed, description: 'share of charges Stripe declines' },
    seed: { default: 0, description: 'seed of the plan (0 = random)' },
  },
);

async function main(): Promise<number> {
  const seed = flags.seed || randomSeed();
  const report = await runChaos({
    charges: flags.charges,
    rate: flags.rate,
    maxInFlight: flags['max-in-flight'],
    seed,
    faults: {
      'worker-kill': flags['worker-kills'],
      'kafka-restart': flags['kafka-restarts'],
      'temporal-restart': flags['temporal-restarts'],
    },
    shares: {
      duplicatePosts: flags['duplicate-posts'],
      messyWebhooks: flags['messy-webhooks'],
      failed: flags.failed,
    },
    stripeLatencyMs: flags['stripe-latency-ms'],
    outageSeconds: flags['outage-seconds'],
    drainSeconds: flags['drain-seconds'],
    logDir: path.join(RESULTS_DIR, 'logs', new Date().toISOString().replace(/[:.]/g, '-')),
    log: (line) => process.stdout.write(`[chaos] ${line}\n`),
  });
  process.stdout.write(formatTable(`Chaos run ${report.runId} (seed ${report.seed})`, chaosRows(report)));
  process.stdout.write(formatViolations(report.violations));
  const file = writeResults('latest.json', {
    run_id: report.runId,
    task_queue: report.taskQueue,
    seed: report.seed,
    passed: report.passed,
    figures: report.figures,
    faults: report.faults,
    violations: {
      total: report.violations.total,
      by_kind: report.violations.byKind(),
      examples: report.violations.examples(),
    },
    logs: report.logDir,
    service_main: serviceMain(),
  });
  process.stdout.write(`\n${report.passed ? 'PASSED' : 'FAILED'}; figures in ${file}\n`);
  return report.passed ? 0 : 1;
}

exitOnInterrupt();
runMain('chaos run', () => withOwnedStackParts(main));
