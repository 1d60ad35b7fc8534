/**
 * What a chaos run reports: its figures, computed from what the run's parts tallied, and those
 * figures as table rows. faults/run.ts produces the report; main.ts and the chaos test print it.
 */
import type { AuditFigures } from '../common/audit';
import type { Deployment } from '../common/deployment';
import type { Dispatcher } from '../common/dispatcher';
import type { Row } from '../common/figures';
import type { ChargeResult } from '../common/lifecycle';
import { duplicatePostsOf } from '../common/plan';
import type { StripeSide } from '../common/stripe-side';
import type { Violations } from '../common/violations';
import type { FaultKind, FaultRecord } from './faults';

export interface ChaosFigures extends AuditFigures {
  readonly charges: number;
  readonly decidedSucceeded: number;
  readonly decidedFailed: number;
  readonly duplicatePosts: number;
  readonly postRequests: number;
  readonly postRetries: number;
  readonly postAnswers: Record<string, number>;
  readonly pollAnswers: Record<string, number>;
  readonly webhookDeliveries: number;
  readonly webhookEvents: number;
  readonly webhookDuplicateDeliveries: number;
  readonly webhookRetries: number;
  readonly webhookAnswers: Record<string, number>;
  readonly webhookIgnored: Record<string, number>;
  readonly workerKills: number;
  readonly workerRestarts: number;
  readonly kafkaRestarts: number;
  readonly temporalRestarts: number;
  readonly unexpectedRoleExits: number;
  readonly loadSeconds: number;
  readonly drainSeconds: number;
  readonly wallSeconds: number;
}

export interface ChaosReport {
  readonly runId: string;
  readonly taskQueue: string;
  readonly seed: number;
  readonly passed: boolean;
  readonly figures: ChaosFigures;
  readonly faults: readonly FaultRecord[];
  readonly violations: Violations;
  readonly logDir: string;
}

export function chaosFigures(input: {
  results: readonly ChargeResult[];
  dispatcher: Dispatcher;
  stripe: StripeSide;
  roles: Deployment;
  faults: readonly FaultRecord[];
  audit: AuditFigures;
}): Omit<ChaosFigures, 'loadSeconds' | 'drainSeconds' | 'wallSeconds'> {
  const { results, dispatcher, stripe, roles, faults, audit } = input;
  const count = (kind: FaultKind) => faults.filter((f) => f.kind === kind).length;
  return {
    charges: results.length,
    decidedSucceeded: results.filter((r) => r.plan.outcome === 'succeeded').length,
    decidedFailed: results.filter((r) => r.plan.outcome === 'failed').length,
    duplicatePosts: results.reduce((n, r) => n + duplicatePostsOf(r.plan), 0),
    postRequests: dispatcher.posts.requests,
    postRetries: dispatcher.posts.retries,
    postAnswers: dispatcher.posts.byStatus(),
    pollAnswers: dispatcher.polls.byStatus(),
    webhookDeliveries: stripe.deliveries.requests,
    webhookEvents: stripe.distinctEvents,
    webhookDuplicateDeliveries: stripe.duplicateDeliveries,
    webhookRetries: stripe.deliveries.retries,
    webhookAnswers: stripe.deliveries.byStatus(),
    webhookIgnored: Object.fromEntries(stripe.ignored),
    workerKills: roles.workerKills,
    workerRestarts: roles.workerRestarts,
    kafkaRestarts: count('kafka-restart'),
    temporalRestarts: count('temporal-restart'),
    unexpectedRoleExits: roles.unexpectedExits.length,
    ...audit,
  };
}

const answers = (byStatus: Record<string, number>): string =>
  Object.entries(byStatus)
    .map(([status, n]) => `${n}×${status}`)
    .join(' ');

export function chaosRows(report: ChaosReport): Row[] {
  const f = report.figures;
  return [
    ['charges', `${f.charges} (Stripe decides ${f.decidedSucceeded} succeeded, ${f.decidedFailed} failed)`],
    ['duplicate POSTs', `${f.duplicatePosts} identical repeats (concurrent and later)`],
    [
      'POST /charge requests',
      `${f.postRequests} (${answers(f.postAnswers)}); ${f.postRetries} dispatcher retries`,
    ],
    ['GET /charges polls', answers(f.pollAnswers)],
    [
      'webhook deliveries',
      `${f.webhookDeliveries} HTTP deliveries of ${f.webhookEvents} Stripe events (${answers(f.webhookAnswers)}); ` +
        `${f.webhookDuplicateDeliveries} duplicates, ${f.webhookRetries} retries`,
    ],
    ['webhooks ignored by receiver', answers(f.webhookIgnored) || '0'],
    [
      'worker SIGKILLs / restarts',
      `${f.workerKills} / ${f.workerRestarts} (Stripe creates in flight at each kill: ${
        report.faults
          .filter((x) => x.kind === 'worker-kill')
          .map((x) => x.stripeCallsInFlight ?? 0)
          .join(', ') || '-'
      })`,
    ],
    ['Kafka broker restarts', f.kafkaRestarts],
    ['Temporal server restarts', f.temporalRestarts],
    ['roles exiting by themselves', f.unexpectedRoleExits],
    [
      'PaymentIntent creates',
      `${f.paymentIntentCreates} requests under ${f.idempotencyKeys} idempotency keys`,
    ],
    ['creates per key (max)', f.createsPerKeyMax],
    ['idempotency keys per event id (max)', f.keysPerEventMax],
    [
      'PaymentIntents at Stripe (per event id, max)',
      `${f.paymentIntentsAtStripe} (${f.paymentIntentsPerEventMax})`,
    ],
    ['workflows', `${f.workflows} (${f.workflowsCompleted} completed)`],
    ['workflows per event id (max)', f.workflowsPerEventMax],
    ['outcomes on Kafka', `${f.outcomesSucceeded} succeeded + ${f.outcomesFailed} failed`],
    ['outcomes per event id (max)', f.outcomesPerEventMax],
    ['lost', f.lost],
    ['duplicate records (same message_id)', `${f.duplicateRecords} of ${f.kafkaRecords} records`],
    ['violations', report.violations.total],
    ['load / drain / wall time', `${f.loadSeconds} s / ${f.drainSeconds} s / ${f.wallSeconds} s`],
  ];
}
