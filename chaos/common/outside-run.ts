/**
 * What a chaos run (faults/run.ts) and a soak (soak/run.ts) share around their load: the run's
 * identity (id, task queue, log folder, the seed's random, its violations), what it owns (closed in
 * reverse when it ends, fails or is interrupted), the three roles of the compiled binary against a
 * private Stripe test-mode stand-in (tools/stripe-standin, a test tool: Stripe's state, idempotency
 * and rate limit, its recorder) with the dispatcher and Stripe side that load them, and the count
 * from the outside at the end: every accepted charge's workflow closed, then Stripe (the stand-in's
 * PaymentIntents and the requests it was sent), Temporal and Kafka audited.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { onInterruptCleanup } from '../../test/support/cleanup';
import { stackAddresses, type StackAddresses } from '../../test/support/stack';
import fs from 'node:fs';
import type { StandinControl } from '../../tools/stripe-standin/control-client';
import { startTestStandin } from '../../test/support/stripe-standin';
import { auditRun, type AuditFigures } from './audit';
import { CHAOS_API_TOKEN, CHAOS_WEBHOOK_SECRET, Deployment } from './deployment';
import { Dispatcher } from './dispatcher';
import { runCharge, type ChargeResult } from './lifecycle';
import type { ChargePlan } from './plan';
import { chargeRandom, seededRandom, type Random } from './random';
import { StripeSide } from './stripe-side';
import { connectTemporal, waitForAllClosed } from './temporal';
import { Violations } from './violations';

export interface OutsideRunOptions {
  /** Names the task queue and the default log folder: `<kind>-<run id>`. */
  readonly kind: 'chaos' | 'soak';
  readonly seed: number;
  /** How long the load and the drain may take; the dispatcher and the Stripe side give up after it. */
  readonly budgetSeconds: number;
  readonly logDir?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface OutsideRun {
  readonly runId: string;
  readonly taskQueue: string;
  readonly logDir: string;
  /** When the run began, in ms since the epoch. */
  readonly began: number;
  readonly stack: StackAddresses;
  readonly violations: Violations;
  readonly random: Random;
  readonly log: (line: string) => void;
  /** Closes `close` when the run ends, fails or is interrupted: the last owned, the first closed. */
  own(close: () => Promise<void>): void;
  /** Starts the stand-in (in front of the stack's stripe-mock) and the roles that call it. */
  startRoles(options?: StandinOptions): Promise<RunningRoles>;
  /**
   * After the load: waits up to `drainSeconds` for every accepted charge's workflow to close (a
   * violation for each still open), then audits the run from the outside.
   */
  drainAndAudit(
    roles: RunningRoles,
    results: readonly ChargeResult[],
    drainSeconds: number,
    onWaiting?: (running: number, total: number) => void,
  ): Promise<AuditFigures>;
}

export interface StandinOptions {
  /** Answer every PaymentIntent create this much later, as real Stripe takes a few hundred ms. */
  readonly slowCreatesMs?: number;
}

export interface RunningRoles {
  readonly deployment: Deployment;
  /** The run's Stripe: what it keeps and what it was asked. */
  readonly standin: StandinControl;
  /** POSTs charges to the gateway (and retries them, as the order dispatcher would). */
  readonly dispatcher: Dispatcher;
  /** Plays Stripe: signs and delivers the webhooks. */
  readonly stripe: StripeSide;
  /** One planned charge from the outside against these roles, its randomness from the run's seed. */
  runCharge(plan: ChargePlan, seed: number): Promise<ChargeResult>;
}

export async function withOutsideRun<T>(
  options: OutsideRunOptions,
  body: (run: OutsideRun) => Promise<T>,
): Promise<T> {
  const began = Date.now();
  const runId = randomUUID().slice(0, 8);
  const deadline = began + options.budgetSeconds * 1000;
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  const violations = new Violations();
  const stack = stackAddresses();
  const taskQueue = `${options.kind}-${runId}`;
  const logDir = options.logDir ?? path.join(os.tmpdir(), `${options.kind}-${runId}`);
  const run: OutsideRun = {
    runId,
    taskQueue,
    logDir,
    began,
    stack,
    violations,
    random: seededRandom(options.seed),
    log: options.log ?? (() => undefined),
    own: (close) => closers.push(close),
    async startRoles(standinOptions = {}) {
      fs.mkdirSync(logDir, { recursive: true });
      const running = await startTestStandin(
        {},
        { stripeMock: true, logFile: path.join(logDir, 'stripe-standin.log') },
      );
      run.own(() => running.close());
      const standin = running.control;
      if (standinOptions.slowCreatesMs !== undefined && standinOptions.slowCreatesMs > 0) {
        await standin.injectFault({
          method: 'POST',
          path: '/^\\/v1\\/payment_intents$/',
          mode: 'slow',
          delay_ms: standinOptions.slowCreatesMs,
          count: Number.MAX_SAFE_INTEGER,
        });
      }
      const deployment = new Deployment({ stack, stripeApiBase: running.url, taskQueue, logDir });
      run.own(() => deployment.stop());
      await deployment.start();
      const dispatcher = new Dispatcher(() => deployment.gatewayUrl, CHAOS_API_TOKEN, deadline, violations);
      const stripe = new StripeSide(() => deployment.webhookUrl, CHAOS_WEBHOOK_SECRET, deadline, violations);
      return {
        deployment,
        standin,
        dispatcher,
        stripe,
        runCharge: (plan, seed) =>
          runCharge(plan, {
            dispatcher,
            stripe,
            standin,
            random: chargeRandom(seed, plan.index),
            violations,
          }),
      };
    },
    async drainAndAudit(roles, results, drainSeconds, onWaiting) {
      const temporal = await connectTemporal(stack);
      try {
        const accepted = results.filter((r) => r.accepted).length;
        const open = await waitForAllClosed(temporal, taskQueue, accepted, drainSeconds * 1000, onWaiting);
        if (open > 0) violations.add('workflows not finished after the drain', String(open));
        return await auditRun({
          results,
          standin: roles.standin,
          temporal,
          taskQueue,
          unexpectedExits: roles.deployment.unexpectedExits,
          violations,
        });
      } finally {
        await temporal.connection.close().catch(() => undefined);
      }
    },
  };
  const unregister = onInterruptCleanup(closeAll);
  try {
    return await body(run);
  } finally {
    unregister();
    await closeAll();
  }
}
