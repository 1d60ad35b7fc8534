/**
 * npm run chaos:webhooks: forged, tampered, stale, garbled and oversize webhooks against a real
 * receiver with live charges; prints tried/accepted per case, writes chaos/results/webhook-attacks.json,
 * exits 1 when an attack got through or a legitimate delivery did not.
 */
import { exitOnInterrupt, runMain } from '../../test/support/cleanup';
import { cliFlags } from '../../test/support/flags';
import { withOwnedStackParts } from '../../test/support/stack';
import { formatTable, writeResults, type Row } from '../common/figures';
import { runWebhookAttacks } from './run';

cliFlags(
  process.argv.slice(2),
  'npm run chaos:webhooks: the webhook attack suite against the local stack',
  {},
);

async function main(): Promise<number> {
  const report = await runWebhookAttacks();
  const rows: Row[] = report.outcomes.map((o) => [
    `${o.mustBeAccepted ? '[must pass]' : '[attack]   '} ${o.name}`,
    `${o.status} (expected ${o.expectedStatus}), ${o.signals} signal(s), charge ${o.chargeStatus}` +
      `${o.problems.length ? `  ✗ ${o.problems.join('; ')}` : '  ✓'}`,
  ]);
  process.stdout.write(formatTable('Webhook deliveries to a live charge each', rows));
  process.stdout.write(
    formatTable('Summary', [
      ['attacks tried / accepted as a signal', `${report.attacksTried} / ${report.attacksAccepted}`],
      ['legitimate tried / accepted', `${report.legitimateTried} / ${report.legitimateAccepted}`],
      ['signature rejections logged (without the body)', report.rejectionsLogged],
      ['wall time', `${report.wallSeconds} s`],
    ]),
  );
  const file = writeResults('webhook-attacks.json', { ...report });
  process.stdout.write(`\n${report.passed ? 'PASSED' : 'FAILED'}; results in ${file}\n`);
  return report.passed ? 0 : 1;
}

exitOnInterrupt();
runMain('webhook attacks', () => withOwnedStackParts(main));
