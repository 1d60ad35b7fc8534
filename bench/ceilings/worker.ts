/**
 * The bench's Temporal worker (a child process): the ceiling workflows on their own task queue, with
 * the same connection, runtime logger and worker options the service's worker takes from its config.
 */
import { NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { temporalDataConverter } from '../../src/clients/data-converter';
import { temporalConnectionOptions } from '../../src/clients/tls';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { temporalLoggerFor } from '../../src/observability/temporal-logger';
import { workerTuning } from '../../src/roles/worker';
import type { BenchActivities } from '../workflows';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  Runtime.install({ logger: temporalLoggerFor(logger.child({ component: 'temporal' })) });
  const dataConverter = temporalDataConverter(config.codec);
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: dataConverter.failureConverterPath,
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const activities: BenchActivities = { noopActivity: async () => undefined };
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { code },
    // Payloads encrypted, as the service's worker does them.
    dataConverter,
    activities,
    // Exactly the options src/roles/worker.ts passes.
    ...workerTuning(config),
  });
  const running = worker.run();
  const stop = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop); // the bench died: do not outlive it
  const o = worker.options;
  process.send?.({
    type: 'ready',
    data: {
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
      maxCachedWorkflows: o.maxCachedWorkflows,
      workflowTaskPollerBehavior: o.workflowTaskPollerBehavior,
      activityTaskPollerBehavior: o.activityTaskPollerBehavior,
      nonStickyToStickyPollRatio: o.nonStickyToStickyPollRatio,
      reuseV8Context: o.reuseV8Context,
      workflowThreadPoolSize: o.workflowThreadPoolSize,
      shutdownGraceTimeMs: o.shutdownGraceTimeMs,
      tuner: o.tuner,
      stickyQueueScheduleToStartTimeoutMs: o.stickyQueueScheduleToStartTimeoutMs,
    },
  });
  await running;
  await connection.close();
  process.disconnect?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
