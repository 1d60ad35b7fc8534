import { Runtime } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app';
import { kafkaBrokerCheck, type ReadinessCheck } from './api/health/readiness';
import { createChargeWorkflows } from './clients/charge-workflows';
import { createEventProducer, createKafka } from './clients/kafka';
import { createStripeClient } from './clients/stripe';
import { createTemporalClient } from './clients/temporal';
import { modeRoles, type Config } from './config';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { freeLoopbackPort, sdkMetricsReader } from './observability/temporal-sdk-metrics';
import { temporalLoggerFor } from './observability/temporal-logger';
import { startWorker } from './roles/worker';

export interface RunningService {
  readonly app: FastifyInstance;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Ordered shutdown: stop taking requests, drain the worker, disconnect Kafka, close Temporal. */
  stop(): Promise<void>;
}

let sdkMetrics: Promise<() => Promise<string>> | undefined;

/**
 * The SDK's runtime is process-wide and can be installed once, before the first worker: our logger
 * for its logs, and its Prometheus exporter on loopback, read back into our /metrics.
 */
function installTemporalRuntime(logger: Logger): Promise<() => Promise<string>> {
  sdkMetrics ??= freeLoopbackPort().then((port) => {
    const bindAddress = `127.0.0.1:${port}`;
    Runtime.install({
      logger: temporalLoggerFor(logger.child({ component: 'temporal' })),
      telemetryOptions: { metrics: { prometheus: { bindAddress } } },
    });
    return sdkMetricsReader(bindAddress);
  });
  return sdkMetrics;
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
    if (roles.has('gateway') || roles.has('webhook-receiver')) {
      const temporal = createTemporalClient(config);
      closers.push(() => temporal.connection.close());
      charges = createChargeWorkflows(temporal.client, config.temporal.taskQueue);
      readiness.push({
        name: 'temporal',
        check: () =>
          temporal.connection.withDeadline(Date.now() + 2000, async () => {
            await temporal.connection.workflowService.getSystemInfo({});
          }),
      });
    }

    if (roles.has('worker') && stripe) {
      extraMetrics = await installTemporalRuntime(logger);
      const producer = createEventProducer(createKafka(config, logger));
      closers.push(() => producer.disconnect());
      const worker = await startWorker({ config, logger, metrics, stripe, producer });
      // Registered after the producer so it runs first: activities finish before Kafka disconnects.
      closers.push(() => worker.stop());
      readiness.push(kafkaBrokerCheck(config.kafka.brokers), {
        name: 'worker',
        check: async () => {
          const state = worker.worker.getState();
          if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
          await worker.connection.workflowService.getSystemInfo({});
        },
      });
    }

    const app = await buildApp({
      logger,
      metrics,
      readiness,
      ...(extraMetrics ? { extraMetrics } : {}),
      ...(roles.has('gateway') && charges
        ? {
            gateway: {
              charges,
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
              stripe,
              secrets: config.stripe.webhookSecrets,
              toleranceSeconds: config.stripe.webhookToleranceSeconds,
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
