/**
 * Everything the worker role adds to a process: the SDK runtime (our logger, its metrics), the
 * Kafka producer and the Temporal worker. service.ts loads this module only in modes with a
 * worker, so a gateway or webhook receiver never loads the SDK's worker side (its native core and
 * bundler), which they have no use for.
 */
import { Runtime } from '@temporalio/worker';
import { kafkaBrokerCheck, type ReadinessCheck } from '../api/health/readiness';
import { createEventProducer, createKafka } from '../clients/kafka';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import {
  freeLoopbackPort,
  sdkHistogramBucketOverrides,
  sdkMetricsReader,
} from '../observability/temporal-sdk-metrics';
import { temporalLoggerFor } from '../observability/temporal-logger';
import { startWorker } from './worker';
import type { PaymentProviderActivities } from '../contracts/payment-provider';

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
      telemetryOptions: {
        metrics: { prometheus: { bindAddress, histogramBucketOverrides: sdkHistogramBucketOverrides() } },
      },
    });
    return sdkMetricsReader(bindAddress);
  });
  return sdkMetrics;
}

export interface WorkerRole {
  /** The SDK's own metrics, in Prometheus text, for our /metrics. */
  readonly sdkMetrics: () => Promise<string>;
  readonly readiness: readonly ReadinessCheck[];
  /** The worker drains (running activities finish), then the producer disconnects. */
  stop(): Promise<void>;
}

/**
 * Starts the producer, then the worker. On failure, whatever already started is closed before the
 * error propagates, as the caller cannot know what that was.
 */
export async function startWorkerRole(deps: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  provider: PaymentProviderActivities;
}): Promise<WorkerRole> {
  const { config, logger, metrics, provider } = deps;
  const sdkMetricsText = await installTemporalRuntime(logger);
  const producer = createEventProducer(createKafka(config, logger));
  try {
    const worker = await startWorker({ config, logger, metrics, provider, producer });
    return {
      sdkMetrics: sdkMetricsText,
      readiness: [
        kafkaBrokerCheck(config.kafka.brokers),
        {
          name: 'worker',
          check: async () => {
            const state = worker.worker.getState();
            if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
            await worker.connection.workflowService.getSystemInfo({});
          },
        },
      ],
      async stop() {
        try {
          await worker.stop();
        } finally {
          await producer.disconnect();
        }
      },
    };
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
}
