/**
 * POST /charge fuzzed (issue #5 "Show"): 1,000 generated invalid bodies (missing, mistyped,
 * out-of-range, badly formatted, unknown and metadata fields, one to three at once; JSON that is not
 * an object; bytes that are not JSON) against a real gateway on the real Temporal with no worker.
 * Every answer is a 400 naming the broken fields (no body reaches the 64 KiB limit, the one case the
 * contract answers 413); not one workflow starts, counted by Temporal's visibility on the gateway's
 * own task queue. `npm run chaos:fuzz` runs 10,000.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runChargeFuzz, type FuzzReport } from '../../chaos/fuzz/run';
import { randomSeed } from '../../chaos/common/random';
import { CHARGE_BODY_LIMIT_BYTES } from '../../src/api/charges/routes';

const CASES = 1000;

describe('POST /charge with 1,000 generated invalid bodies', { timeout: 120_000 }, () => {
  let report: FuzzReport;
  let context: string;
  before(async () => {
    report = await runChargeFuzz({ cases: CASES, seed: randomSeed() });
    context = `seed ${report.seed}; first failures: ${JSON.stringify(report.failures.slice(0, 3), null, 2)}`;
  });

  it('answers every one, and never with a 5xx', () => {
    const answered = Object.values(report.byStatus).reduce((a, b) => a + b, 0);
    assert.equal(answered, CASES);
    assert.equal(report.serverErrors, 0, context);
  });

  it('answers every one with exactly 400', () => {
    assert.deepEqual(report.byStatus, { '400': CASES }, context);
    assert.equal(report.acceptedAnswers, 0, context);
    assert.equal(report.wrongStatus, 0, context);
  });

  it('sends no body that reaches the 64 KiB limit (which is due a 413, not a 400)', () => {
    assert.equal(CHARGE_BODY_LIMIT_BYTES, 64 * 1024);
    assert.ok(
      report.largestBodyBytes < CHARGE_BODY_LIMIT_BYTES,
      `largest body ${report.largestBodyBytes} bytes`,
    );
  });

  it('names the broken fields in errors[] with a field and a reason', () => {
    assert.equal(report.withoutFieldErrors, 0, context);
    assert.equal(report.brokenFieldNotNamed, 0, context);
  });

  it('starts no workflow, while a valid control charge is started and counted', () => {
    assert.equal(report.controlAccepted, true);
    assert.equal(report.workflowsStarted, 0, context);
  });

  it('covered every kind of invalid body', () => {
    for (const kind of [
      '2 fields wrong',
      'unknown field',
      'not JSON',
      'JSON, not an object',
      'amount: negative',
    ])
      assert.ok((report.byCategory[kind] ?? 0) > 0, `no case of kind ${kind}`);
  });
});
