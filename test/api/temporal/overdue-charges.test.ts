/**
 * The gateway's count of overdue charges: which visibility queries it asks, how often, and what the
 * gauge shows when Temporal cannot be asked. (test/integration/overdue-charges.test.ts runs the same
 * queries against the real Temporal.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NO_PAYMENT_INTENT_AFTER_SECONDS,
  PAST_DEADLINE_GRACE_SECONDS,
  overdueChargeQueries,
  watchOverdueCharges,
} from '../../../src/api/temporal/overdue-charges';
import { createMetrics, type Metrics } from '../../../src/observability/metrics';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const DEADLINE = 259_200;

async function gauge(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.chargesOverdue.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
}

/** A Temporal connection whose count answers from `answer`, recording every query it was asked. */
function fakeConnection(answer: (query: string) => number) {
  const queries: string[] = [];
  const connection = {
    withDeadline: async <T>(_deadline: number, fn: () => Promise<T>) => fn(),
    workflowService: {
      countWorkflowExecutions: async (request: { namespace: string; query: string }) => {
        assert.equal(request.namespace, 'default');
        queries.push(request.query);
        return { count: answer(request.query), groups: [] };
      },
    },
  };
  return { connection: connection as never, queries };
}

describe('overdue charges', () => {
  it('asks for running charges of this task queue started before each threshold', () => {
    const q = overdueChargeQueries({ taskQueue: 'payments', deadlineSeconds: DEADLINE, now: NOW });
    const running =
      'WorkflowType = "ChargeWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = "payments"';
    const noPiBefore = new Date(NOW - NO_PAYMENT_INTENT_AFTER_SECONDS * 1000).toISOString();
    const deadlineBefore = new Date(NOW - (DEADLINE + PAST_DEADLINE_GRACE_SECONDS) * 1000).toISOString();
    assert.equal(
      q.no_payment_intent,
      `${running} AND PaymentIntentId IS NULL AND StartTime < "${noPiBefore}"`,
    );
    const holdBefore = new Date(NOW - PAST_DEADLINE_GRACE_SECONDS * 1000).toISOString();
    // An authorized (manual-capture) charge waits for its shipment up to its hold, not the charge deadline.
    assert.equal(
      q.past_deadline,
      `${running} AND ((AuthorizationExpiresAt IS NULL AND StartTime < "${deadlineBefore}") OR AuthorizationExpiresAt < "${holdBefore}")`,
    );
    assert.equal(noPiBefore, '2026-11-27T11:45:00.000Z');
    assert.equal(deadlineBefore, '2026-11-24T11:00:00.000Z');
  });

  it('sets the gauge by reason, and counts again only after 30 s however often it is scraped', async () => {
    const metrics = createMetrics();
    let now = NOW;
    const { connection, queries } = fakeConnection((query) =>
      query.includes('PaymentIntentId IS NULL') ? 3 : 1,
    );
    const refresh = watchOverdueCharges({
      connection,
      namespace: 'default',
      taskQueue: 'payments',
      deadlineSeconds: DEADLINE,
      metrics,
      onError: (err) => assert.fail(String(err)),
      now: () => now,
    });
    await Promise.all([refresh(), refresh(), refresh()]);
    assert.deepEqual(await gauge(metrics), { no_payment_intent: 3, past_deadline: 1 });
    assert.equal(queries.length, 2, 'concurrent scrapes share one count');
    now += 29_000;
    await refresh();
    assert.equal(queries.length, 2);
    now += 2_000;
    await refresh();
    assert.equal(queries.length, 4);
  });

  it('drops the series when Temporal cannot be asked: unknown is not zero', async () => {
    const metrics = createMetrics();
    let down = false;
    let now = NOW;
    const errors: unknown[] = [];
    const { connection } = fakeConnection(() => {
      if (down) throw new Error('14 UNAVAILABLE: connection refused');
      return 2;
    });
    const refresh = watchOverdueCharges({
      connection,
      namespace: 'default',
      taskQueue: 'payments',
      deadlineSeconds: DEADLINE,
      metrics,
      onError: (err) => errors.push(err),
      now: () => now,
    });
    await refresh();
    assert.deepEqual(await gauge(metrics), { no_payment_intent: 2, past_deadline: 2 });
    down = true;
    now += 30_000;
    await refresh();
    assert.deepEqual(await gauge(metrics), {});
    assert.equal(errors.length, 1);
    down = false;
    await refresh();
    assert.deepEqual(await gauge(metrics), { no_payment_intent: 2, past_deadline: 2 }, 'asked again at once');
  });
});
