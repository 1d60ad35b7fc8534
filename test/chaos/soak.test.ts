/**
 * The soak, reduced: 40 s of steady charges at 10/s through the compiled gateway, webhook receiver
 * and worker on the real stack, the worker rolled (new one up, old one drained) every 6 s, the
 * RSS of every role sampled every 5 s. Counted from the outside afterwards as a chaos run is, and
 * stricter on Kafka: not one outcome lost, not one record repeated. `npm run soak` runs the same code
 * for 30 min and judges RSS flatness, which 40 s cannot show.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { formatTable, formatViolations } from '../../chaos/common/figures';
import { randomSeed } from '../../chaos/common/random';
import { runSoak, SOAK_SHARES, soakRows, type SoakReport } from '../../chaos/soak/run';

const SECONDS = 40;
const RATE = 10;
const CHARGES = SECONDS * RATE;
const ROLES = ['gateway', 'webhook-receiver', 'worker'];

describe(
  `a soak of ${SECONDS} s at ${RATE} charges/s with the worker rolled every 6 s`,
  { timeout: 600_000 },
  () => {
    let report: SoakReport;
    let context: string;

    before(async () => {
      report = await runSoak({
        minutes: SECONDS / 60,
        rate: RATE,
        workerRestartMinutes: 6 / 60,
        sampleSeconds: 5,
        warmupMinutes: 10 / 60,
        tolerance: 0.1,
        seed: randomSeed(),
        shares: SOAK_SHARES,
        drainSeconds: 120,
      });
      context = `${formatTable(`soak ${report.runId} (seed ${report.seed}, logs ${report.logDir})`, soakRows(report))}${formatViolations(report.violations)}`;
    });

    it('ran every charge and rolled the worker twice mid-load, charges still being released during each roll', () => {
      assert.equal(report.charges, CHARGES, context);
      // A roll (new worker up, old one drained) takes up to ~15 s here; rolls every 6 s: two start within
      // the 40 s of load; more may start as the last charges finish.
      assert.ok(report.workerRolls.length >= 2, context);
      assert.equal(report.workerRestarts, report.workerRolls.length, context);
      for (const roll of report.workerRolls.slice(0, 2))
        assert.ok(
          roll.chargesReleasedDuring > 0,
          `no charge released during the roll at ${roll.atSeconds} s\n${context}`,
        );
    });

    it('sampled the RSS of every role several times, across worker incarnations', () => {
      for (const role of ROLES)
        assert.ok(report.samples.filter((s) => s.role === role).length >= 3, `${role} sampled\n${context}`);
      const workerPids = new Set(report.samples.filter((s) => s.role === 'worker').map((s) => s.pid));
      assert.ok(workerPids.size >= 2, `more than one worker incarnation sampled\n${context}`);
    });

    it('sent every event id to Stripe under exactly one key and ran exactly one completed workflow for it', () => {
      assert.equal(report.audit.keysPerEventMax, 1, context);
      assert.equal(report.audit.idempotencyKeys, CHARGES, context);
      assert.equal(report.audit.workflows, CHARGES, context);
      assert.equal(report.audit.workflowsPerEventMax, 1, context);
      assert.equal(report.audit.workflowsCompleted, CHARGES, context);
      assert.equal(report.audit.paymentIntentsAtStripe, CHARGES, context);
      assert.equal(report.audit.paymentIntentsPerEventMax, 1, context);
    });

    it('published exactly one outcome per event id: none lost, no record repeated', () => {
      assert.equal(report.audit.lost, 0, context);
      assert.equal(report.audit.duplicateRecords, 0, context);
      assert.equal(report.audit.kafkaRecords, CHARGES, context);
      assert.equal(report.audit.outcomesPerEventMax, 1, context);
      assert.equal(report.audit.outcomesSucceeded + report.audit.outcomesFailed, CHARGES, context);
    });

    it('answered every request with 2xx or 503 and found no violation at all', () => {
      const unexpected = (answers: Record<string, number>) =>
        Object.keys(answers).filter((status) => !['200', '202', '503'].includes(status));
      assert.deepEqual(unexpected(report.postAnswers), [], context);
      assert.deepEqual(unexpected(report.webhookAnswers), [], context);
      assert.equal(report.violations.total, 0, context);
    });
  },
);
