import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app';
import type { ReadinessCheck } from './api/health/readiness';
import { createChargeWorkflows } from './api/temporal/charge-workflows';
import { watchDedupeWindow, type DedupeWindow } from './api/temporal/dedupe-window';
import { createTemporalClient } from './clients/temporal';
import { modeRoles, type Config } from './config';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { createStripeActivities } from './stripe/activities';
import { createStripeClient, STRIPE_GATEWAY_TIMEOUT_MS } from './stripe/client';
import { createStripeCustomerViews } from './stripe/customer-views';
import { createStripeWebhooks, isLiveKey } from './stripe/webhooks';

export interface RunningService {
  readonly app: FastifyInstance;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Ordered shutdown: stop taking requests, drain the worker, disconnect Kafka, close Temporal. */
  stop(): Promise<void>;
}

/** Starts the roles of `config.mode` in this process: the shared initialisation of the one binary. */
export async function startService(
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<RunningService> {
  const roles = new Set(modeRoles(config.mode));
  const closers: Array<() => Promise<void>> = [];
  const readiness: ReadinessCheck[] = [];
  let extraMetrics: (() => Promise<string>) | undefined;
  const stripe =
    roles.has('worker') || roles.has('webhook-receiver') ? createStripeClient(config) : undefined;

  try {
    let charges;
    let dedupe: DedupeWindow | undefined;
    if (roles.has('gateway') || roles.has('webhook-receiver')) {
      const temporal = createTemporalClient(config);
      closers.push(() => temporal.connection.close());
      charges = createChargeWorkflows(temporal.client, config.temporal.taskQueue);
      if (roles.has('gateway')) {
        const window = watchDedupeWindow({
          connection: temporal.connection,
          namespace: config.temporal.namespace,
          windowSeconds: config.dedupeWindowSeconds,
          onError: (err) => logger.warn({ err }, 'could not read the namespace retention'),
        });
        dedupe = window;
        closers.push(async () => window.stop());
        readiness.push({
          name: 'dedupe_window',
          check: async () => {
            const problem = window.problem();
            if (problem !== undefined) throw new Error(problem);
          },
        });
      }
      readiness.push({
        name: 'temporal',
        check: () =>
          temporal.connection.withDeadline(Date.now() + 2000, async () => {
            await temporal.connection.workflowService.getSystemInfo({});
          }),
      });
    }

    if (roles.has('worker') && stripe) {
      // Loaded here only: the SDK's worker side would cost a gateway memory for nothing.
      const { startWorkerRole } = await import('./roles/worker-role');
      const provider = createStripeActivities({ stripe, metrics });
      const worker = await startWorkerRole({ config, logger, metrics, provider });
      extraMetrics = worker.sdkMetrics;
      readiness.push(...worker.readiness);
      closers.push(() => worker.stop());
    }

    const app = await buildApp({
      logger,
      metrics,
      readiness,
      ...(extraMetrics ? { extraMetrics } : {}),
      ...(roles.has('gateway') && charges && dedupe
        ? {
            gateway: {
              charges,
              // Its own client: a read for a caller who is waiting gives up sooner than an activity.
              customerViews: createStripeCustomerViews({
                stripe: createStripeClient(config, { timeoutMs: STRIPE_GATEWAY_TIMEOUT_MS }),
                metrics,
              }),
              dedupe,
              apiTokens: config.api.chargeApiTokens,
              timing: config.chargeTiming,
              refundWindowSeconds: config.refundWindowSeconds,
            },
          }
        : {}),
      ...(roles.has('webhook-receiver') && charges && stripe
        ? {
            webhook: {
              charges,
              webhooks: createStripeWebhooks(stripe, {
                secrets: config.stripe.webhookSecrets,
                toleranceSeconds: config.stripe.webhookToleranceSeconds,
                livemode: isLiveKey(config.stripe.key),
              }),
              lateSuccessPolicy: config.lateSuccessPolicy,
            },
          }
        : {}),
    });
    closers.push(() => app.close());
    const url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, mode: config.mode, roles: [...roles] }, 'payments service started');

    let stopping: Promise<void> | undefined;
    return {
      app,
      url,
      stop: () => {
        stopping ??= closeInReverse(closers, logger);
        return stopping;
      },
    };
  } catch (err) {
    await closeInReverse(closers, logger);
    throw err;
  }
}

async function closeInReverse(closers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (err) {
      logger.warn({ err }, 'error during shutdown');
    }
  }
}
