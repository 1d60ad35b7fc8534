/**
 * The ceilings, each measured closed-loop (N concurrent callers, each sending its next request or
 * starting its next workflow when the previous one ends) for a fixed time:
 *   http_noop         POST /noop on a bare Fastify server
 *   direct_charge     POST /direct-charge: stripe-mock + Kafka, no Temporal
 *   bare_workflow     execute a workflow that returns at once (start + result)
 *   noop_workflow     execute a workflow that runs one no-op activity
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startOnFreePort, waitForIpcReady, type Children } from '../../test/support/children';
import { REPO_ROOT } from '../../test/support/repo';
import { closedLoop, type ClosedLoopResult } from '../closed-loop';
import type { HttpClient } from '../http-client';
import type { PhaseUsage, ProcSampler } from '../proc-sampler';
import { localDataConverter } from '../../test/support/codec';

/** In the order they are interleaved with the steps: the one the headline ratio uses first. */
export const CEILINGS = ['noop_workflow', 'bare_workflow', 'direct_charge', 'http_noop'] as const;
export type CeilingName = (typeof CEILINGS)[number];

export interface CeilingSample extends ClosedLoopResult {
  readonly resources: PhaseUsage;
  /** CPU milliseconds per completed operation, per process (where the ceiling's time goes). */
  readonly cpu_ms_per_op: Record<string, number>;
}

export interface CeilingTargets {
  readonly httpUrl: string;
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly workerOptions: Record<string, unknown>;
  close(): Promise<void>;
}

const TSX = ['--import', 'tsx'];

/**
 * Starts the bench's HTTP server (the no-op route and the direct charge) and, unless `worker` is
 * false (a flash sale needs only the direct route), its Temporal worker (child processes), and a
 * Temporal client.
 */
export async function startCeilingTargets(args: {
  children: Children;
  sampler: ProcSampler;
  env: (port: number) => NodeJS.ProcessEnv;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  worker?: boolean;
}): Promise<CeilingTargets> {
  const { children } = args;
  const startServer = startOnFreePort(children, (port) => {
    const child = children.spawn(
      'bench-http-server',
      process.execPath,
      [...TSX, path.join(REPO_ROOT, 'bench/ceilings/http-server.ts')],
      {
        cwd: REPO_ROOT,
        env: args.env(port),
        ipc: true,
      },
    );
    return { child, ready: waitForIpcReady<unknown>(child, 90_000).then(() => ({ child, port })) };
  });
  const worker =
    args.worker === false
      ? null
      : children.spawn(
          'bench-worker',
          process.execPath,
          [...TSX, path.join(REPO_ROOT, 'bench/ceilings/worker.ts')],
          {
            cwd: REPO_ROOT,
            env: args.env(0),
            ipc: true,
          },
        );
  const [{ child: server, port }, workerOptions] = await Promise.all([
    startServer,
    worker ? waitForIpcReady<Record<string, unknown>>(worker, 120_000) : Promise.resolve({}),
  ]);
  args.sampler.track('bench-http-server', server.pid);
  if (worker) args.sampler.track('bench-worker', worker.pid);
  const connection = await Connection.connect({ address: args.temporalAddress });
  const temporal = new Client({ connection, namespace: args.namespace, dataConverter: localDataConverter() });
  // One workflow through the worker before any ceiling, so that no sample pays for its first
  // workflow task (the sandbox) and first activity. (The smoke's 0/s first ceiling was the flash
  // sale's roles booting meanwhile: run.ts now waits for them.)
  if (worker) {
    await temporal.workflow.execute('NoopActivityWorkflow', {
      taskQueue: args.taskQueue,
      workflowId: `${args.taskQueue}-warm-up`,
      workflowExecutionTimeout: '60 seconds',
    });
  }
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    temporal,
    taskQueue: args.taskQueue,
    workerOptions,
    close: () => connection.close(),
  };
}

export async function measureCeiling(args: {
  name: CeilingName;
  targets: CeilingTargets;
  http: HttpClient;
  sampler: ProcSampler;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  idPrefix: string;
}): Promise<CeilingSample> {
  const { name, targets, http } = args;
  const headers = { 'content-type': 'application/json' };
  const body = (i: number): string =>
    JSON.stringify({
      event_id: `${args.idPrefix}${i}`,
      order_id: `order-${args.idPrefix}${i}`,
      amount: 1999,
      currency: 'usd',
      metadata: { source: 'bench' },
    });
  const expectOk = async (path: string, i: number): Promise<void> => {
    const res = await http.request('POST', `${targets.httpUrl}${path}`, { headers, body: body(i) });
    if (res.status !== 200)
      throw Object.assign(new Error(`status ${res.status}`), { name: `http_${res.status}` });
  };
  const operations: Record<CeilingName, (i: number) => Promise<void>> = {
    http_noop: (i) => expectOk('/noop', i),
    direct_charge: (i) => expectOk('/direct-charge', i),
    bare_workflow: (i) =>
      targets.temporal.workflow.execute('BareWorkflow', {
        taskQueue: targets.taskQueue,
        workflowId: `${args.idPrefix}${i}`,
      }),
    noop_workflow: (i) =>
      targets.temporal.workflow.execute('NoopActivityWorkflow', {
        taskQueue: targets.taskQueue,
        workflowId: `${args.idPrefix}${i}`,
      }),
  };
  let phase: ReturnType<ProcSampler['beginPhase']> | undefined;
  let resources: PhaseUsage = {};
  const result = await closedLoop(args.concurrency, args.warmupSeconds, args.seconds, operations[name], {
    opened: () => (phase = args.sampler.beginPhase()),
    closed: () => {
      if (phase) resources = args.sampler.endPhase(phase);
    },
  });
  const perOp = Object.fromEntries(
    Object.entries(resources).map(([proc, usage]) => [
      proc,
      result.completed > 0 ? Math.round((usage.cpu_s * 100_000) / result.completed) / 100 : 0,
    ]),
  );
  return { ...result, resources, cpu_ms_per_op: perOp };
}
