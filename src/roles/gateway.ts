/**
 * The gateway role: POST /charge and the charge actions for the order dispatcher. It refuses charges
 * while the namespace forgets closed workflows sooner than the dedupe window (watched here). It never
 * calls Stripe: a waiting charge's client_secret is in its workflow's answer (see charge-caller-view.ts).
 */
import { watchDedupeWindow } from '../api/temporal/dedupe-window';
import { watchDisputeCounts } from '../api/temporal/dispute-counts';
import { watchOverdueCharges } from '../api/temporal/overdue-charges';
import { watchStripeQueueBacklog } from '../api/temporal/stripe-queue-backlog';
import { pollAfterSeconds } from '../api/charges/poll-hint';
import type { StartRole } from './shared-parts';

export const start: StartRole = async (shared) => {
  const { config, logger, metrics } = shared;
  const temporal = shared.temporal();
  const dedupe = watchDedupeWindow({
    connection: temporal.connection,
    namespace: config.temporal.namespace,
    windowSeconds: config.dedupeWindowSeconds,
    onError: (err) => logger.warn({ err }, 'could not read the namespace retention'),
  });
  const disputeCounts = watchDisputeCounts({
    client: temporal.client,
    registry: metrics.registry,
    warningSeconds: config.disputeTiming.evidence_warning_seconds,
    intervalMs: config.disputeCountIntervalSeconds * 1000,
    onError: (err) => logger.warn({ err }, 'could not count the open disputes'),
  });
  const stripeBacklog = watchStripeQueueBacklog({
    connection: temporal.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    onError: (err) => logger.warn({ err }, 'could not read the Stripe task queue backlog'),
  });
  return {
    readiness: [
      {
        name: 'dedupe_window',
        check: async () => {
          const problem = dedupe.problem();
          if (problem !== undefined) throw new Error(problem);
        },
      },
      temporal.readiness,
    ],
    http: {
      gateway: {
        charges: temporal.charges,
        disputes: temporal.disputes,
        dedupe,
        apiTokens: config.api.chargeApiTokens,
        maxReadsPerSecond: config.api.maxReadsPerSecond,
        pollAfterSeconds: () => pollAfterSeconds(stripeBacklog(), config.stripe.maxRequestsPerSecond),
        timing: config.chargeTiming,
        capturePolicy: config.capturePolicy,
        lateSuccessPolicy: config.lateSuccessPolicy,
        refundWindowSeconds: config.refundWindowSeconds,
        topics: config.kafka.topics,
      },
      beforeScrape: watchOverdueCharges({
        connection: temporal.connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deadlineSeconds: config.chargeTiming.reconcile_deadline_seconds,
        metrics,
        onError: (err) => logger.warn({ err }, 'could not count overdue charges in Temporal'),
      }),
    },
    stop: async () => {
      dedupe.stop();
      disputeCounts.stop();
    },
  };
};
