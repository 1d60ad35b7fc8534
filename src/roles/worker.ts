/**
 * The worker role: everything it adds to a process. The SDK runtime (our logger, its metrics), the
 * Kafka producer, and two Temporal workers over one native connection: the workflows and Kafka
 * activities on the main task queue, the provider's (Stripe's) activities on their own, rate-limited
 * one. service.ts loads this module only in modes with a worker, so a gateway or webhook receiver
 * never loads the SDK's worker side (its native core and bundler), which they have no use for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import {
  NativeConnection,
  Runtime,
  Worker,
  type ActivityInterceptorsFactory,
  type InjectedSinks,
  type WorkerOptions,
} from '@temporalio/worker';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import { createActivities } from '../activities';
import { activityLogInterceptors } from '../activities/log-interceptors';
import { activityTracingInterceptors } from '../activities/tracing-interceptors';
import { temporalDataConverter } from '../clients/data-converter';
import { createEventProducer, createKafka, type EventProducer } from '../clients/kafka';
import { temporalConnectionOptions } from '../clients/tls';
import type { Config } from '../config';
import { providerTaskQueue, type PaymentProviderActivities } from '../contracts/payment-provider';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Tracing } from '../observability/tracing';
import { kafkaBrokerCheck } from '../observability/readiness';
import { sdkHistogramBucketOverrides, sdkMetricsReader } from '../observability/temporal-sdk-metrics';
import { bindOnFreePort } from '../observability/loopback-port';
import { temporalLoggerFor } from '../observability/temporal-logger';
import { createStripeActivities } from '../stripe/activities';
import { watchFleetPace, type StripeQueuePoller } from '../stripe/fleet-pace';
import { describeStripeTaskQueue } from '../clients/stripe-task-queue';
import type { StartRole } from './shared-parts';

/** Where `npm run build` writes the prebuilt workflow bundle; absent in dev, where we bundle at start. */
export const DEFAULT_WORKFLOW_BUNDLE = path.resolve(__dirname, '../../workflow-bundle.js');

/** Workflow code and its interceptors; the build bundles exactly these (scripts/build-workflow-bundle.ts). */
export const WORKFLOWS_PATH = require.resolve('../workflows');
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('../workflows/log-interceptors'),
  // Temporal's OpenTelemetry interceptors: the workflow's spans (run, signals, updates, activities
  // scheduled), made deterministically in the sandbox and exported through the sink below.
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** For workers that export no spans (tests, the benchmark's ceiling worker). */
const UNTRACED = { workflowSpanProcessor: new NoopSpanProcessor(), resource: Resource.empty() };

/**
 * The sink the workflow interceptors hand their finished spans to; every worker running the bundle
 * registers it (with a no-op processor when tracing is off). The SDK does not call it on replay.
 */
export function workflowTracingSinks(
  tracing: Pick<Tracing, 'workflowSpanProcessor' | 'resource'> = UNTRACED,
): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: makeWorkflowExporter(tracing.workflowSpanProcessor, tracing.resource) };
}

/** The worker's tuning knobs, shared with the benchmark's ceiling worker so both run alike. */
export function workerTuning(config: Config) {
  return {
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
  } satisfies Partial<WorkerOptions>;
}

/**
 * Starts the producer, then the workers. On failure, whatever already started is closed before the
 * error propagates, as the caller cannot know what that was.
 */
export const start: StartRole = async (shared) => {
  const { config, logger, metrics, tracing } = shared;
  const sdkMetrics = await installTemporalRuntime(logger);
  const provider = createStripeActivities({ stripe: shared.stripe, metrics });
  const producer = createEventProducer(createKafka(config, logger));
  try {
    const workers = await startWorkers({ config, logger, metrics, tracing, provider, producer });
    // The whole rate until the first count of the fleet (a lone worker's share).
    metrics.stripePace.set(config.stripe.maxRequestsPerSecond);
    const fleetPace = watchFleetPace({
      ratePerSecond: config.stripe.maxRequestsPerSecond,
      pacer: shared.stripePacer,
      describePollers: () => stripeQueuePollers(workers.connection, config),
      onShare: ({ workers: count, perSecond }) => {
        metrics.stripePace.set(perSecond);
        logger.info(
          { workers: count, stripe_requests_per_second: perSecond },
          "this worker's share of the fleet's Stripe rate",
        );
      },
      onError: (err) =>
        logger.warn({ err }, "could not count the Stripe queue's workers; the last share holds"),
    });
    return {
      readiness: [
        kafkaBrokerCheck(config.kafka.brokers),
        {
          name: 'worker',
          check: async () => {
            const state = workers.worker.getState();
            if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
            await workers.connection.workflowService.getSystemInfo({});
          },
        },
      ],
      http: { extraMetrics: sdkMetrics },
      // The workers drain (running activities finish), then the producer disconnects.
      async stop() {
        fleetPace.stop();
        try {
          await workers.stop();
        } finally {
          await producer.disconnect();
        }
      },
    };
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
};

/** The pollers Temporal lists for the Stripe task queue (one per worker process), for the fleet's pace. */
async function stripeQueuePollers(
  connection: NativeConnection,
  config: Config,
): Promise<StripeQueuePoller[]> {
  const answer = await describeStripeTaskQueue(connection, {
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deadlineMs: 5_000,
  });
  return (answer.pollers ?? []).map((poller) => ({
    identity: poller.identity ?? '',
    lastAccessMs: optionalTsToMs(poller.lastAccessTime),
  }));
}

let sdkMetrics: Promise<() => Promise<string>> | undefined;

/**
 * The SDK's runtime is process-wide and can be installed once, before the first worker: our logger
 * for its logs, and its Prometheus exporter on loopback, read back into our /metrics.
 */
function installTemporalRuntime(logger: Logger): Promise<() => Promise<string>> {
  // Runtime.install binds the exporter at once and, when it throws, installs nothing: another
  // attempt on another port is a clean start.
  sdkMetrics ??= bindOnFreePort((port) => {
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

/**
 * The prebuilt bundle when there is one (it carries the workflow interceptors); otherwise bundle
 * at start, naming the interceptors.
 */
function workflowCode(
  config: Config,
  activity: ActivityInterceptorsFactory[],
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const bundle = config.worker.workflowBundlePath ?? DEFAULT_WORKFLOW_BUNDLE;
  if (fs.existsSync(bundle)) {
    return { workflowBundle: { codePath: bundle }, interceptors: { activity } };
  }
  return {
    workflowsPath: WORKFLOWS_PATH,
    interceptors: { activity, workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}

interface RunningWorkers {
  /** The main task queue's worker (workflows, Kafka activities): the one /readyz asks about. */
  readonly worker: Worker;
  readonly connection: NativeConnection;
  /** Stops polling, lets running activities finish (up to the grace time), then closes the connection. */
  stop(): Promise<void>;
}

async function startWorkers(deps: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  provider: PaymentProviderActivities;
  producer: EventProducer;
}): Promise<RunningWorkers> {
  const { config, logger } = deps;
  // Tracing first (outermost), so the log interceptor's lines carry the attempt's trace_id.
  const activity = [...activityTracingInterceptors(deps.tracing.tracer), activityLogInterceptors];
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // Payloads encrypted, failures encoded: the same converter as every client (and the bundle's).
  const dataConverter = temporalDataConverter(config.codec);
  const worker = await Worker.create({
    dataConverter,
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workflowCode(config, activity),
    sinks: workflowTracingSinks(deps.tracing),
    activities: createActivities({
      provider: deps.provider,
      producer: deps.producer,
      topics: config.kafka.topics,
      metrics: deps.metrics,
      tracer: deps.tracing.tracer,
    }),
    ...workerTuning(config),
  });
  // The provider's activities' own queue: the server hands out at most this many of its tasks a
  // second, across every worker polling it, so Stripe never sees more than STRIPE_MAX_REQUESTS_PER_SECOND.
  const providerWorker = await Worker.create({
    dataConverter,
    connection,
    namespace: config.temporal.namespace,
    taskQueue: providerTaskQueue(config.temporal.taskQueue),
    activities: deps.provider,
    maxTaskQueueActivitiesPerSecond: config.stripe.maxRequestsPerSecond,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
    interceptors: { activity },
  });
  const running = Promise.all([worker.run(), providerWorker.run()]);
  running.catch((err: unknown) => logger.fatal({ err }, 'worker stopped with an error'));
  logger.info(
    {
      task_queue: config.temporal.taskQueue,
      stripe_task_queue: providerTaskQueue(config.temporal.taskQueue),
      stripe_requests_per_second: config.stripe.maxRequestsPerSecond,
      namespace: config.temporal.namespace,
    },
    'worker polling',
  );
  return {
    worker,
    connection,
    async stop() {
      for (const w of [worker, providerWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      logger.info(
        { shutdown_grace_seconds: config.worker.shutdownGraceSeconds },
        'worker draining: no new tasks taken; running activities may finish within the grace',
      );
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}
