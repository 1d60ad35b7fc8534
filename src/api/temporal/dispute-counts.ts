/**
 * Gauges of the open disputes, counted where the truth is: the dispute workflows' search attributes
 * (DisputeStatus, DisputeEvidenceDueBy), read from Temporal's visibility by the gateway every
 * DISPUTE_COUNT_INTERVAL_SECONDS.
 *
 * Why not counters from the workflows: a gauge of "open by status" built from increments breaks at
 * every worker restart (a counter starts again at 0 while the disputes it counted stay open), and a
 * workflow's own gauge is one value per worker, not one per dispute. Visibility needs neither.
 * Every gateway replica reports the same numbers: dashboards take max(), not sum().
 */
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { DISPUTE_NEEDS_RESPONSE_STATUSES, DISPUTE_OPEN_STATUSES } from '../../contracts/dispute';

const ofOurDisputes = "WorkflowType = 'DisputeWorkflow' AND ExecutionStatus = 'Running'";
const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Open disputes of ours in one status. */
export function openDisputesQuery(status: string): string {
  return `${ofOurDisputes} AND DisputeStatus = '${status}'`;
}

/** Disputes of ours still asking for evidence that is due before `before` (overdue ones included). */
export function evidenceDueSoonQuery(before: Date): string {
  return (
    `${ofOurDisputes} AND DisputeStatus IN (${list(DISPUTE_NEEDS_RESPONSE_STATUSES)})` +
    ` AND DisputeEvidenceDueBy < '${before.toISOString()}'`
  );
}

export interface DisputeCounts {
  /** Counts once more now (the first count is made at start). */
  refresh(): Promise<void>;
  stop(): void;
}

export function watchDisputeCounts(options: {
  client: Client;
  registry: Registry;
  /** DISPUTE_EVIDENCE_WARNING_SECONDS: "nearing its due time" means due within this. */
  warningSeconds: number;
  /** DISPUTE_COUNT_INTERVAL_SECONDS, in ms. */
  intervalMs: number;
  onError: (err: unknown) => void;
}): DisputeCounts {
  const { client, registry, warningSeconds } = options;
  const open = new Gauge({
    name: 'payments_disputes_open',
    help: 'Open disputes by Stripe status (from Temporal visibility; every gateway reports the same: use max)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const dueSoon = new Gauge({
    name: 'payments_disputes_evidence_due_soon',
    help: 'Disputes still asking for evidence due within DISPUTE_EVIDENCE_WARNING_SECONDS, or overdue (use max)',
    registers: [registry],
  });
  const count = async (query: string): Promise<number> => Number((await client.workflow.count(query)).count);

  let stopped = false;
  const refresh = async (): Promise<void> => {
    if (stopped) return;
    try {
      await client.connection.withDeadline(Date.now() + 10_000, async () => {
        for (const status of DISPUTE_OPEN_STATUSES)
          open.set({ status }, await count(openDisputesQuery(status)));
        const before = new Date(Date.now() + warningSeconds * 1000);
        dueSoon.set(await count(evidenceDueSoonQuery(before)));
      });
    } catch (err) {
      // Temporal down: /readyz says so; the gauges keep their last values until the next count.
      // A count cut short by shutdown is no news.
      if (!stopped) options.onError(err);
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), options.intervalMs);
  timer.unref();
  return {
    refresh,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
