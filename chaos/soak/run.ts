/**
 * A soak: a steady rate of charges for a long time through the three roles of the compiled binary,
 * the worker rolled (new one up, old one drained) every few minutes, the RSS of every role sampled
 * on a fixed period. At the end: the same outside counts as a chaos run, and whether each process's
 * RSS stayed flat after its warm-up. Stricter than a chaos run on Kafka: with no crash, every
 * repeated record (same message_id) fails the soak, as does every lost outcome.
 */
import { sleep } from '../../test/support/wait';
import type { AuditFigures } from '../common/audit';
import type { Row } from '../common/figures';
import { newProgress, runLoad, type LoadProgress } from '../common/load';
import { withOutsideRun } from '../common/outside-run';
import { planCharges, type LoadShares } from '../common/plan';
import type { Violations } from '../common/violations';
import { rssMb, rssTrends, type RssSample, type RssTrend } from './rss';

/** The soak's mix: mostly plain charges, a few duplicates and messy webhooks, a fifth declined. */
export const SOAK_SHARES: LoadShares = { duplicatePosts: 0.05, messyWebhooks: 0.05, failed: 0.2 };

export interface SoakOptions {
  readonly minutes: number;
  readonly rate: number;
  readonly workerRestartMinutes: number;
  readonly sampleSeconds: number;
  /** RSS is judged from this age of a gateway / receiver on (a worker: half of it, at most 1 min). */
  readonly warmupMinutes: number;
  /** Allowed RSS growth after warm-up (0.1 = 10 %). */
  readonly tolerance: number;
  readonly seed: number;
  readonly shares: LoadShares;
  readonly drainSeconds: number;
  readonly logDir?: string;
  readonly log?: (line: string) => void;
}

/** One rolling restart of the worker, and the load around it. */
export interface WorkerRoll {
  /** Seconds since the run began, when the new worker was asked for. */
  readonly atSeconds: number;
  /** From asking for the new worker to the old one's exit. */
  readonly seconds: number;
  /** Charges between their POST and their outcome when the roll began. */
  readonly chargesInFlight: number;
  /** Charges the load released while the roll went on. */
  readonly chargesReleasedDuring: number;
}

export interface SoakReport {
  readonly runId: string;
  readonly seed: number;
  readonly charges: number;
  readonly loadSeconds: number;
  readonly achievedRate: number;
  readonly workerRestarts: number;
  readonly workerRolls: readonly WorkerRoll[];
  readonly samples: readonly RssSample[];
  readonly trends: readonly RssTrend[];
  readonly rssFlat: boolean;
  readonly audit: AuditFigures;
  readonly postAnswers: Record<string, number>;
  readonly webhookAnswers: Record<string, number>;
  readonly violations: Violations;
  readonly wallSeconds: number;
  readonly passed: boolean;
  readonly logDir: string;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const charges = Math.round(options.minutes * 60 * options.rate);
  const budgetSeconds = options.minutes * 60 + 300 + options.drainSeconds;
  return withOutsideRun(
    { kind: 'soak', seed: options.seed, budgetSeconds, logDir: options.logDir, log: options.log },
    async (run) => {
      const { began, log, violations } = run;
      const running = await run.startRoles();
      const { deployment: roles, dispatcher, stripe } = running;
      // Owned last, so done first: the sampler and the restarter stop before the roles do.
      let loadRunning = true;
      run.own(async () => {
        loadRunning = false;
      });
      log(
        `soak ${run.runId}: ${charges} charges at ${options.rate}/s for ${options.minutes} min (logs ${run.logDir})`,
      );
      const samples: RssSample[] = [];
      const sampler = (async () => {
        for (let k = 1; ; k++) {
          const due = began + k * options.sampleSeconds * 1000;
          while (loadRunning && Date.now() < due) await sleep(250);
          if (!loadRunning) return;
          const t = Math.round((Date.now() - began) / 1000);
          for (const [role, pid] of Object.entries(roles.pids())) {
            const mb = rssMb(pid);
            const age = Math.round((Date.now() - (roles.startedAt.get(pid) ?? began)) / 1000);
            if (mb !== undefined) samples.push({ t, age, role, pid, mb });
          }
          log(
            `t=${Math.round(t / 60)} min: ${samples
              .filter((s) => s.t === t)
              .map((s) => `${s.role} ${s.mb} MB`)
              .join(', ')}`,
          );
        }
      })();
      const plans = planCharges(charges, run.runId, run.random, options.shares);
      const progress: LoadProgress = newProgress(plans.length);
      const workerRolls: WorkerRoll[] = [];
      const restarter = (async () => {
        for (;;) {
          const until = Date.now() + options.workerRestartMinutes * 60_000;
          while (loadRunning && Date.now() < until) await sleep(500);
          if (!loadRunning) return;
          const at = Date.now();
          const { released, finished } = progress;
          await roles.rollWorker();
          workerRolls.push({
            atSeconds: Math.round((at - began) / 1000),
            seconds: Math.round((Date.now() - at) / 100) / 10,
            chargesInFlight: released - finished,
            chargesReleasedDuring: progress.released - released,
          });
          log(`worker rolled (restart ${roles.workerRestarts})`);
        }
      })();

      const loadStarted = Date.now();
      const results = await runLoad(
        plans,
        (plan) => running.runCharge(plan, options.seed),
        { rate: options.rate, maxInFlight: 500 },
        progress,
      );
      const loadSeconds = (Date.now() - loadStarted) / 1000;
      loadRunning = false;
      await Promise.all([sampler, restarter]);

      const audit = await run.drainAndAudit(running, results, options.drainSeconds);
      // A soak has no crash to excuse a repeated publish: duplicates fail it, as lost outcomes do
      // (each lost one is already a violation of its own, by event id).
      if (audit.duplicateRecords > 0)
        violations.add(
          'duplicate records on Kafka (same message_id)',
          `${audit.duplicateRecords} of ${audit.kafkaRecords}`,
        );
      const warmup = (role: string) =>
        role === 'worker' ? Math.min(60, (options.warmupMinutes * 60) / 2) : options.warmupMinutes * 60;
      const trends = rssTrends(samples, warmup, options.tolerance);
      const rssFlat = trends.every((t) => t.flat);
      return {
        runId: run.runId,
        seed: options.seed,
        charges,
        loadSeconds: Math.round(loadSeconds),
        achievedRate: Math.round((charges / loadSeconds) * 10) / 10,
        workerRestarts: roles.workerRestarts,
        workerRolls,
        samples,
        trends,
        rssFlat,
        audit,
        postAnswers: dispatcher.posts.byStatus(),
        webhookAnswers: stripe.deliveries.byStatus(),
        violations,
        wallSeconds: Math.round((Date.now() - began) / 1000),
        passed: violations.total === 0 && audit.lost === 0 && audit.duplicateRecords === 0 && rssFlat,
        logDir: run.logDir,
      };
    },
  );
}

/** Each process's RSS after its warm-up: baseline → final, and whether that is flat. */
export function soakTrendRows(report: SoakReport): Row[] {
  return report.trends.map((t) => [
    t.series,
    `${t.baselineMb} → ${t.finalMb} MB (peak ${t.peakMb}), ${t.growthPercent >= 0 ? '+' : ''}${t.growthPercent} % over ${t.samples} samples: ${t.flat ? 'flat' : 'GROWING'}`,
  ]);
}

const byStatus = (answers: Record<string, number>): string =>
  Object.entries(answers)
    .map(([s, n]) => `${n}×${s}`)
    .join(' ');

/** The soak's figures as `npm run soak` prints them (and the soak test shows on a failure). */
export function soakRows(report: SoakReport): Row[] {
  const a = report.audit;
  const rolls = report.workerRolls
    .map(
      (r) =>
        `at ${r.atSeconds} s for ${r.seconds} s: ${r.chargesInFlight} in flight, ${r.chargesReleasedDuring} released`,
    )
    .join('; ');
  return [
    ['charges', `${report.charges} in ${report.loadSeconds} s (${report.achievedRate}/s)`],
    ['worker restarts (rolling)', `${report.workerRestarts}${rolls === '' ? '' : ` (${rolls})`}`],
    ['POST /charge answers', byStatus(report.postAnswers)],
    ['webhook answers', byStatus(report.webhookAnswers)],
    ['creates per key (max) / keys per event (max)', `${a.createsPerKeyMax} / ${a.keysPerEventMax}`],
    [
      'PaymentIntents at Stripe (per event id, max)',
      `${a.paymentIntentsAtStripe} (${a.paymentIntentsPerEventMax})`,
    ],
    [
      'workflows (completed) / per event (max)',
      `${a.workflows} (${a.workflowsCompleted}) / ${a.workflowsPerEventMax}`,
    ],
    ['outcomes on Kafka', `${a.outcomesSucceeded} succeeded + ${a.outcomesFailed} failed`],
    ['lost', a.lost],
    ['duplicate records', `${a.duplicateRecords} of ${a.kafkaRecords}`],
    ['RSS flat', report.rssFlat ? 'yes' : 'NO'],
    ['wall time', `${report.wallSeconds} s`],
  ];
}
