/**
 * The webhook receiver under attack (issue #5 "Show"): a real receiver (all roles in this process,
 * real Temporal), one live charge per delivery. An attack must be answered 4xx (or 200 for a validly
 * signed event about no charge we hold: its late-outcome handling alerts an operator and moves no
 * money), must not put a single signal into the charge's history and must not reach the logs; a
 * rotated (previous) secret and Stripe's own multi-signature header must complete the charge.
 * Signals are counted by the server, from history.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WEBHOOK_CASES } from '../../chaos/webhook-attacks/cases';
import { runWebhookAttacks, type AttackReport } from '../../chaos/webhook-attacks/run';

describe('webhook deliveries to a live charge', { timeout: 180_000 }, () => {
  let report: AttackReport;
  before(async () => {
    report = await runWebhookAttacks();
  });

  const outcome = (name: string) => {
    const found = report.outcomes.find((o) => o.name === name);
    assert.ok(found, `no outcome for ${name}`);
    return found;
  };

  for (const c of WEBHOOK_CASES.filter((x) => !x.mustBeAccepted)) {
    const unmoved = c.foreignCharge
      ? 'no charge touched, an operator alerted, no money moved'
      : 'the charge still pending';
    it(`refuses ${c.name}: ${c.expectedStatus}, no signal, ${unmoved}`, () => {
      const o = outcome(c.name);
      assert.equal(o.status, c.expectedStatus);
      assert.equal(o.signals, 0, 'signals in the charge history');
      assert.deepEqual(o.problems, []);
    });
  }

  for (const c of WEBHOOK_CASES.filter((x) => x.mustBeAccepted)) {
    it(`accepts ${c.name}: 200, one signal, the charge succeeded`, () => {
      const o = outcome(c.name);
      assert.equal(o.status, 200);
      assert.equal(o.signals, 1, 'signals in the charge history');
      assert.equal(o.chargeStatus, 'succeeded');
      assert.deepEqual(o.problems, []);
    });
  }

  it('let 0 attacks through and every legitimate delivery in', () => {
    assert.equal(report.attacksAccepted, 0);
    assert.equal(report.legitimateAccepted, report.legitimateTried);
  });

  it('logged each signature rejection, without its body', () => {
    const refused = report.outcomes.filter((o) => o.status === 400).length;
    assert.equal(report.rejectionsLogged, refused);
    assert.equal(report.outcomes.filter((o) => o.bodyLogged).length, 0, 'a refused body reached the logs');
  });
});
