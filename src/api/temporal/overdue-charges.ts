/**
 * Charges that are running longer than they should, counted in Temporal's visibility store by the
 * gateway for the payments_charges_overdue gauge (alert PaymentsChargesOverdue). Two kinds:
 *
 * - no_payment_intent: still without a PaymentIntent NO_PAYMENT_INTENT_AFTER_SECONDS after it
 *   started. Creating one takes a second; a backlog behind Stripe's rate limit drains in minutes.
 *   Past that, the create keeps failing (a key Stripe refuses, Stripe down) or nothing runs it.
 * - past_deadline: open PAST_DEADLINE_GRACE_SECONDS beyond the deadline (CHARGE_DEADLINE_SECONDS)
 *   at which the workflow itself cancels the charge: its worker is not making progress. An authorized
 *   (manual-capture) charge is bounded by its hold instead, not by that deadline: it is overdue once
 *   it is still open PAST_DEADLINE_GRACE_SECONDS after the time it should have acted on the hold
 *   (AuthorizationExpiresAt), so days of waiting for the shipment raise no alert.
 *
 * Counted at most once per REFRESH_INTERVAL_MS (a scrape in between reuses the last counts), on the
 * configured task queue only. When Temporal cannot be asked the series are dropped rather than left
 * stale: "unknown" is not "zero", and the readiness alert covers Temporal being unreachable.
 */
import type { Connection } from '@temporalio/client';
import type { Metrics } from '../../observability/metrics';
import { ChargeWorkflow } from '../../workflows/charge';
import {
  AuthorizationExpiresAtSearchAttribute,
  PaymentIntentIdSearchAttribute,
} from '../../workflows/messages';

export const NO_PAYMENT_INTENT_AFTER_SECONDS = 15 * 60;
export const PAST_DEADLINE_GRACE_SECONDS = 60 * 60;
const REFRESH_INTERVAL_MS = 30_000;
const COUNT_DEADLINE_MS = 5_000;

export type OverdueReason = 'no_payment_intent' | 'past_deadline';

/** The visibility queries, one per reason: running charges on `taskQueue` started before a time. */
export function overdueChargeQueries(opts: {
  taskQueue: string;
  deadlineSeconds: number;
  now: number;
}): Record<OverdueReason, string> {
  const running = `WorkflowType = "${ChargeWorkflow.name}" AND ExecutionStatus = "Running" AND TaskQueue = "${opts.taskQueue}"`;
  const before = (seconds: number) => new Date(opts.now - seconds * 1000).toISOString();
  const startedBefore = (seconds: number) => `StartTime < "${before(seconds)}"`;
  // Set once a charge is authorized (charge.ts); null on every other charge.
  const hold = AuthorizationExpiresAtSearchAttribute.name;
  return {
    no_payment_intent: `${running} AND ${PaymentIntentIdSearchAttribute.name} IS NULL AND ${startedBefore(NO_PAYMENT_INTENT_AFTER_SECONDS)}`,
    past_deadline: `${running} AND ((${hold} IS NULL AND ${startedBefore(opts.deadlineSeconds + PAST_DEADLINE_GRACE_SECONDS)}) OR ${hold} < "${before(PAST_DEADLINE_GRACE_SECONDS)}")`,
  };
}

/** Returns what the gateway's /metrics calls before it answers (see AppDeps.beforeScrape). */
export function watchOverdueCharges(deps: {
  connection: Pick<Connection, 'withDeadline' | 'workflowService'>;
  namespace: string;
  taskQueue: string;
  deadlineSeconds: number;
  metrics: Metrics;
  onError: (err: unknown) => void;
  now?: () => number;
}): () => Promise<void> {
  const now = deps.now ?? Date.now;
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | undefined;

  const refresh = async (): Promise<void> => {
    const queries = overdueChargeQueries({
      taskQueue: deps.taskQueue,
      deadlineSeconds: deps.deadlineSeconds,
      now: now(),
    });
    try {
      const count = async (query: string): Promise<number> => {
        const { count: n } = await deps.connection.withDeadline(Date.now() + COUNT_DEADLINE_MS, () =>
          deps.connection.workflowService.countWorkflowExecutions({ namespace: deps.namespace, query }),
        );
        // int64 on the wire: a Long (or a number), never above 2^53 here.
        return Number(n?.toString() ?? '0');
      };
      const counts = await Promise.all(
        Object.entries(queries).map(async ([reason, query]) => [reason, await count(query)] as const),
      );
      for (const [reason, count] of counts) deps.metrics.chargesOverdue.set({ reason }, count);
      refreshedAt = now();
    } catch (err) {
      deps.metrics.chargesOverdue.reset();
      deps.onError(err);
    }
  };

  return async () => {
    if (now() - refreshedAt < REFRESH_INTERVAL_MS) return;
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  };
}
