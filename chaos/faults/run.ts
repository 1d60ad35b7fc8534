/**
 * A chaos run: the three roles of the compiled binary on the real stack (Stripe calls through a
 * recording proxy in front of stripe-mock, a task queue of its own), N charges under duplicate POSTs
 * and duplicated, re-ordered webhooks, while the worker is SIGKILLed, Kafka and Temporal are stopped
 * and started. Then everything is counted from the outside. `npm run chaos` and the chaos test both
 * call runChaos; the caller brings the stack up.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { onInterruptCleanup } from '../../test/support/cleanup';
import { stackAddresses } from '../../test/support/stack';
import {
  startStripeRecordingProxy,
  type StripeRecordingProxy,
} from '../../test/support/stripe-recording-proxy';
import { auditRun } from '../common/audit';
import { CHAOS_API_TOKEN, CHAOS_WEBHOOK_SECRET, Deployment } from '../common/deployment';
import { Dispatcher } from '../common/dispatcher';
import { seconds } from '../common/figures';
import { runCharge } from '../common/lifecycle';
import { newProgress, runLoad } from '../common/load';
import { planCharges, type LoadShares } from '../common/plan';
import { chargeRandom, seededRandom } from '../common/random';
import { StripeSide } from '../common/stripe-side';
import { connectTemporal, waitForAllClosed } from '../common/temporal';
import { Violations } from '../common/violations';
import { FaultInjector, faultSchedule, type FaultKind } from './faults';
import { chaosFigures, type ChaosReport } from './report';
import { startLatencyProxy, type LatencyProxy } from './stripe-latency';

export interface ChaosOptions {
  readonly charges: number;
  /** Charges released per second. */
  readonly rate: number;
  readonly maxInFlight: number;
  readonly seed: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly shares: LoadShares;
  /** How long stripe-mock takes to answer a PaymentIntent create (real Stripe takes a few hundred ms). */
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
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const runId = randomUUID().slice(0, 8);
  const taskQueue = `chaos-${runId}`;
  const logDir = options.logDir ?? path.join(os.tmpdir(), `chaos-${runId}`);
  const stack = stackAddresses();
  const violations = new Violations();
  const random = seededRandom(options.seed);
  const loadSeconds = options.charges / options.rate;
  // Generous: the load itself, every outage, and the drain.
  const deadline = began + (loadSeconds + 300 + options.drainSeconds) * 1000;

  let latency: LatencyProxy | undefined;
  let proxy: StripeRecordingProxy | undefined;
  let deployment: Deployment | undefined;
  let faults: FaultInjector | undefined;
  let temporal: Client | undefined;
  const cleanup = async (): Promise<void> => {
    await temporal?.connection.close().catch(() => undefined);
    await deployment?.stop();
    await proxy?.close();
    await latency?.close();
    await faults?.restore();
  };
  const unregister = onInterruptCleanup(cleanup);
  try {
    latency = await startLatencyProxy(stack.stripeMockUrl, {
      method: 'POST',
      path: '/v1/payment_intents',
      delayMs: options.stripeLatencyMs,
    });
    const slowStripe = latency;
    proxy = await startStripeRecordingProxy(latency.url);
    const stripeApiBase = proxy.url;
    deployment = new Deployment({ stack, stripeApiBase, taskQueue, logDir });
    await deployment.start();
    const roles = deployment;
    log(`run ${runId}: roles up (task queue ${taskQueue}, logs ${logDir}); seed ${options.seed}`);

    const plans = planCharges(options.charges, runId, random, options.shares);
    const dispatcher = new Dispatcher(() => roles.gatewayUrl, CHAOS_API_TOKEN, deadline, violations);
    const stripe = new StripeSide(() => roles.webhookUrl, CHAOS_WEBHOOK_SECRET, deadline, violations);
    const progress = newProgress(plans.length);
    const schedule = faultSchedule(options.faults);
    const injector = new FaultInjector(roles, progress, options.outageSeconds * 1000, log, schedule, () =>
      slowStripe.inFlight(),
    );
    faults = injector;
    const faultsDone = injector.run();
    const gate = (index: number) => injector.gate(index);
    const loadStarted = Date.now();
    const [results] = await Promise.all([
      runLoad(
        plans,
        (plan) =>
          runCharge(plan, { dispatcher, stripe, random: chargeRandom(options.seed, plan.index), violations }),
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
    temporal = await connectTemporal(stack);
    const accepted = results.filter((r) => r.accepted);
    const stillOpen = await waitForAllClosed(
      temporal,
      taskQueue,
      accepted.length,
      options.drainSeconds * 1000,
      (running, total) => log(`  … ${running} running of ${total} workflows`),
    );
    if (stillOpen > 0) violations.add('workflows not finished after the drain', String(stillOpen));
    const drainMs = Date.now() - drainStarted;

    const audit = await auditRun({
      results,
      stripeRequests: proxy.requests,
      temporal,
      taskQueue,
      unexpectedExits: roles.unexpectedExits,
      violations,
    });
    const figures = chaosFigures({ results, dispatcher, stripe, roles, faults: injector.records, audit });
    return {
      runId,
      taskQueue,
      seed: options.seed,
      passed: violations.total === 0,
      figures: {
        ...figures,
        loadSeconds: Math.round(loadMs / 100) / 10,
        drainSeconds: Math.round(drainMs / 100) / 10,
        wallSeconds: Math.round((Date.now() - began) / 100) / 10,
      },
      faults: injector.records,
      violations,
      logDir,
    };
  } finally {
    unregister();
    await cleanup();
  }
}
