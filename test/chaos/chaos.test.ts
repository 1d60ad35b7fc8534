/**
 * The chaos run, reduced (issue #5 "Show"): 100 charges through the compiled gateway, webhook
 * receiver and worker on the real stack, with duplicate POSTs and duplicated, re-ordered webhooks,
 * while the worker is SIGKILLed, the Kafka broker and the Temporal server are stopped and started.
 * Counted from the outside afterwards: Stripe (the stand-in's state and recorder), Temporal (visibility), Kafka.
 * `npm run chaos` runs the same code with 1,000 charges.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chaosRows, type ChaosReport } from '../../chaos/faults/report';
import { DEFAULT_SHARES, runChaos } from '../../chaos/faults/run';
import { formatTable, formatViolations } from '../../chaos/common/figures';
import { randomSeed } from '../../chaos/common/random';
import { testLogFolder } from '../support/test-logs';

const CHARGES = 100;

describe(
  'a chaos run of 100 charges with a worker SIGKILL, a Kafka and a Temporal restart',
  { timeout: 300_000 },
  () => {
    let report: ChaosReport;
    let context: string;

    before(async () => {
      report = await runChaos({
        charges: CHARGES,
        rate: 10,
        maxInFlight: 100,
        seed: randomSeed(),
        faults: { 'worker-kill': 1, 'kafka-restart': 1, 'temporal-restart': 1 },
        shares: DEFAULT_SHARES,
        stripeLatencyMs: 300,
        outageSeconds: 3,
        drainSeconds: 150,
        // The roles' logs, for the suites' secret scan (test/zz-secret-scan.test.ts).
        logDir: testLogFolder('chaos'),
      });
      context = `${formatTable(`chaos run ${report.runId} (seed ${report.seed})`, chaosRows(report))}${formatViolations(report.violations)}`;
    });

    it('injected every fault while charges were in flight', () => {
      assert.deepEqual(
        report.faults.map((f) => f.kind),
        ['worker-kill', 'kafka-restart', 'temporal-restart'],
      );
      for (const fault of report.faults)
        assert.ok(fault.chargesInFlight > 0, `${fault.kind} hit no charge\n${context}`);
      const kill = report.faults.find((f) => f.kind === 'worker-kill');
      assert.ok(
        (kill?.stripeCallsInFlight ?? 0) > 0,
        `the worker died with no Stripe call in flight\n${context}`,
      );
      assert.equal(report.figures.workerKills, 1);
      assert.equal(report.figures.workerRestarts, 1);
    });

    it('exercised duplicate POSTs and duplicated webhooks', () => {
      assert.ok(report.figures.duplicatePosts > 0, context);
      assert.ok(report.figures.webhookDuplicateDeliveries > 0, context);
      assert.ok(report.figures.decidedFailed > 0 && report.figures.decidedSucceeded > 0, context);
    });

    it('sent every event id to Stripe under exactly one idempotency key', () => {
      assert.equal(report.figures.keysPerEventMax, 1, context);
      assert.equal(report.figures.idempotencyKeys, CHARGES, context);
    });

    it("left exactly one PaymentIntent per event id at Stripe, in the state of the charge's outcome", () => {
      assert.equal(report.figures.paymentIntentsAtStripe, CHARGES, context);
      assert.equal(report.figures.paymentIntentsPerEventMax, 1, context);
    });

    it('ran exactly one workflow per event id, every one completed', () => {
      assert.equal(report.figures.workflows, CHARGES, context);
      assert.equal(report.figures.workflowsPerEventMax, 1, context);
      assert.equal(report.figures.workflowsCompleted, CHARGES, context);
    });

    it("published exactly one outcome per event id, Stripe's, and lost none", () => {
      assert.equal(report.figures.lost, 0, context);
      assert.equal(report.figures.outcomesPerEventMax, 1, context);
      assert.equal(report.figures.outcomesSucceeded, report.figures.decidedSucceeded, context);
      assert.equal(report.figures.outcomesFailed, report.figures.decidedFailed, context);
    });

    it('kept every role alive and answered every request with 2xx or 503, never dropping a connection', () => {
      assert.equal(report.figures.unexpectedRoleExits, 0, context);
      const unexpected = (answers: Record<string, number>) =>
        Object.keys(answers).filter((status) => !['200', '202', '503'].includes(status));
      assert.deepEqual(unexpected(report.figures.postAnswers), [], context);
      assert.deepEqual(unexpected(report.figures.pollAnswers), [], context);
      assert.deepEqual(unexpected(report.figures.webhookAnswers), [], context);
    });

    it('found no violation at all', () => {
      assert.equal(report.violations.total, 0, context);
    });
  },
);
