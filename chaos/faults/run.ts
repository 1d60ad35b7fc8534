/**
 * A chaos run: the three roles of the compiled binary on the real stack (Stripe: the run's own
 * stand-in, its creates answered after a delay; a task queue of its own), N charges under duplicate POSTs
 * and duplicated, re-ordered webhooks, while the worker is SIGKILLed, Kafka and Temporal are stopped
 * and started. Then everything is counted from the outside. `npm run chaos` and the chaos test both
 * call runChaos; the caller brings the stack up.
 */
import { seconds } from '../common/figures';
import { newProgress, runLoad } from '../common/load';
import { withOutsideRun } from '../common/outside-run';
import { planCharges, type LoadShares } from '../common/plan';
import { FaultInjector, faultSchedule, type FaultKind } from './faults';
import { chaosFigures, type ChaosReport } from './report';

export interface ChaosOptions {
  readonly charges: number;
  /** Charges released per second. */
  readonly rate: number;
  readonly maxInFlight: number;
  readonly seed: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly shares: LoadShares;
  /** How long Stripe (the stand-in) takes to answer a PaymentIntent create (real Stripe: a few hundred ms). */
  readonly stripeLatencyMs: number;
  /** How long Kafka / Temporal stay down in their outage. */
  readonly outageSeconds: number;
  /** How long, after the last charge, every workflow may take to finish. */
  readonly drainSeconds: number;
  /** Where the roles' logs go. */
  readonly logDir?: string;
  readonly log?: (line: string) => void;
}

export const DEFAULT_SHARES: LoadShares = { duplicatePosts: 0.2, messyWebhooks: 0.2, failed: 0.2 };

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const loadSeconds = options.charges / options.rate;
  // Generous: the load itself, every outage, and the drain.
  const budgetSeconds = loadSeconds + 300 + options.drainSeconds;
  return withOutsideRun(
    { kind: 'chaos', seed: options.seed, budgetSeconds, logDir: options.logDir, log: options.log },
    async (run) => {
      const { log, violations } = run;
      // Owned first, so closed last: stack parts a fault stopped come back after everything else stopped.
      const started: { faults?: FaultInjector } = {};
      run.own(async () => started.faults?.restore());
      const roles = await run.startRoles({ slowCreatesMs: options.stripeLatencyMs });
      const { deployment, dispatcher, stripe, standin } = roles;
      log(
        `run ${run.runId}: roles up (task queue ${run.taskQueue}, logs ${run.logDir}); seed ${options.seed}`,
      );

      const plans = planCharges(options.charges, run.runId, run.random, options.shares);
      const progress = newProgress(plans.length);
      const schedule = faultSchedule(options.faults);
      const injector = new FaultInjector(
        deployment,
        progress,
        options.outageSeconds * 1000,
        log,
        schedule,
        () => standin.inFlight({ method: 'POST', path: '/v1/payment_intents' }),
      );
      started.faults = injector;
      const faultsDone = injector.run();
      const gate = (index: number) => injector.gate(index);
      const loadStarted = Date.now();
      const [results] = await Promise.all([
        runLoad(
          plans,
          (plan) => roles.runCharge(plan, options.seed),
          {
            rate: options.rate,
            maxInFlight: options.maxInFlight,
            gate,
          },
          progress,
        ),
        faultsDone,
      ]);
      const loadMs = Date.now() - loadStarted;
      log(`load done in ${seconds(loadMs)}; waiting for every charge to finish`);

      const drainStarted = Date.now();
      const audit = await run.drainAndAudit(roles, results, options.drainSeconds, (running, total) =>
        log(`  … ${running} running of ${total} workflows`),
      );
      const drainMs = Date.now() - drainStarted;
      const figures = chaosFigures({
        results,
        dispatcher,
        stripe,
        roles: deployment,
        faults: injector.records,
        audit,
      });
      return {
        runId: run.runId,
        taskQueue: run.taskQueue,
        seed: options.seed,
        passed: violations.total === 0,
        figures: {
          ...figures,
          loadSeconds: Math.round(loadMs / 100) / 10,
          drainSeconds: Math.round(drainMs / 100) / 10,
          wallSeconds: Math.round((Date.now() - run.began) / 100) / 10,
        },
        faults: injector.records,
        violations,
        logDir: run.logDir,
      };
    },
  );
}
