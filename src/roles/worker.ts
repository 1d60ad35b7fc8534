import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { activityLogInterceptors } from '../activities/log-interceptors';
import type { EventProducer } from '../clients/kafka';
import { temporalConnectionOptions } from '../clients/tls';
import type { Config } from '../config';
import { providerTaskQueue, type PaymentProviderActivities } from '../contracts/payment-provider';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** Where `npm run build` writes the prebuilt workflow bundle; absent in dev, where we bundle at start. */
export const DEFAULT_WORKFLOW_BUNDLE = path.resolve(__dirname, '../../workflow-bundle.js');

/** Workflow code and its interceptors; the build bundles exactly these (scripts/build-workflow-bundle.ts). */
export const WORKFLOWS_PATH = require.resolve('../workflows');
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/log-interceptors')];

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
 * The prebuilt bundle when there is one (it carries the workflow interceptors); otherwise bundle
 * at start, naming the interceptors.
 */
function workflowCode(
  config: Config,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const bundle = config.worker.workflowBundlePath ?? DEFAULT_WORKFLOW_BUNDLE;
  if (fs.existsSync(bundle)) {
    return { workflowBundle: { codePath: bundle }, interceptors: { activity: [activityLogInterceptors] } };
  }
  return {
    workflowsPath: WORKFLOWS_PATH,
    interceptors: { activity: [activityLogInterceptors], workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
  };
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly connection: NativeConnection;
  /** Stops polling, lets running activities finish (up to the grace time), then closes the connection. */
  stop(): Promise<void>;
}

export async function startWorker(deps: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  provider: PaymentProviderActivities;
  producer: EventProducer;
}): Promise<RunningWorker> {
  const { config, logger } = deps;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workflowCode(config),
    activities: createActivities({
      provider: deps.provider,
      producer: deps.producer,
      topics: config.kafka.topics,
      metrics: deps.metrics,
    }),
    ...workerTuning(config),
  });
  // The Stripe activities' own queue: the server hands out at most this many of its tasks a second,
  // across every worker polling it, so Stripe never sees more than STRIPE_MAX_REQUESTS_PER_SECOND.
  const stripeWorker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: providerTaskQueue(config.temporal.taskQueue),
    activities: deps.provider,
    maxTaskQueueActivitiesPerSecond: config.stripe.maxRequestsPerSecond,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
    interceptors: { activity: [activityLogInterceptors] },
  });
  const running = Promise.all([worker.run(), stripeWorker.run()]);
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
      for (const w of [worker, stripeWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}
