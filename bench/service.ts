/**
 * The payments service as in production: one `node dist/src/main.js` process per role, each with
 * its own PORT, so the CPU and memory of the gateway, the webhook receiver and the worker are
 * measured apart.
 */
import { CONFIG_VARIABLES } from '../src/config';
import { REPO_ROOT, SERVICE_MAIN } from '../test/support/repo';
import { startOnFreePort, type Child, type Children } from '../test/support/children';
import { sleep } from '../test/support/wait';
import { HttpClient } from './http-client';
import { LOCAL_CODEC_KEYS } from '../test/support/codec';

export const BENCH_STRIPE_KEY = 'sk_test_bench';
export const BENCH_WEBHOOK_SECRET = 'whsec_bench';
export const BENCH_API_TOKEN = 'bench-api-token-0123456789abcdef';

/**
 * V8 flags the deployments give the HTTP roles (gateway, webhook receiver: k8s/base and
 * docker-compose.yml; test/deploy checks they match), so the bench measures them as deployed: a small
 * young generation keeps their memory low at a negligible CPU cost. The worker keeps V8's default.
 */
export const FRONT_ROLE_NODE_OPTIONS = '--max-semi-space-size=1';

/** Worker tuning the caller may set for an experiment (e.g. WORKER_MAX_CONCURRENT_ACTIVITIES=50). */
const PASSED_THROUGH = new Set([
  'WORKER_MAX_CONCURRENT_ACTIVITIES',
  'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  'WORKER_MAX_CACHED_WORKFLOWS',
]);

/**
 * The environment every service-like process of the bench gets: the caller's environment without
 * any of the service's own variables (a developer's TEMPORAL_ADDRESS must not leak in), plus the
 * stack's addresses and the bench's keys.
 */
export function serviceEnv(
  stackEnv: Record<string, string>,
  overrides: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const own = new Set<string>(CONFIG_VARIABLES.map((v) => v.name));
  for (const [key, value] of Object.entries(process.env)) {
    if (!own.has(key) || PASSED_THROUGH.has(key)) env[key] = value;
  }
  return {
    ...env,
    HOST: '127.0.0.1',
    LOG_PRETTY: 'false',
    STRIPE_KEY: BENCH_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    CHARGE_API_TOKEN: BENCH_API_TOKEN,
    // The local key: what the bench's roles write reads in the local stack's Web UI.
    PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
    TEMPORAL_ADDRESS: stackEnv['TEMPORAL_ADDRESS'] ?? '',
    TEMPORAL_NAMESPACE: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default',
    KAFKA_BROKERS: stackEnv['KAFKA_BROKERS'] ?? '',
    STRIPE_API_BASE: stackEnv['STRIPE_MOCK_URL'] ?? '',
    WORKER_SHUTDOWN_GRACE_SECONDS: '5',
    ...overrides,
  };
}

export interface ServiceProcesses {
  readonly gateway: { readonly url: string; readonly child: Child };
  readonly webhook: { readonly url: string; readonly child: Child };
  readonly worker: { readonly url: string; readonly child: Child };
}

/**
 * Stripe calls per second the stepped run's worker may make (STRIPE_MAX_REQUESTS_PER_SECOND, at the
 * config's maximum): stripe-mock has no rate limit, and the steps measure the charge path, not
 * Stripe's limit, which the flash sale measures. At the service's default (20 with the bench's test
 * key) every step above 20 charges/s would queue behind the Stripe task queue's limit.
 */
export const STEPS_STRIPE_REQUESTS_PER_SECOND = '10000';

/** Starts the three roles; `name` prefixes their process names and log files (e.g. `flash-`). */
export async function startServiceProcesses(
  children: Children,
  env: (role: string, port: number) => NodeJS.ProcessEnv,
  name = '',
): Promise<ServiceProcesses> {
  // Each must answer /readyz (its dependencies reachable); started together so they boot in parallel.
  const start = (role: 'gateway' | 'webhook-receiver' | 'worker') =>
    startOnFreePort(children, (port) => {
      const child = children.spawn(`${name}${role}`, process.execPath, [SERVICE_MAIN], {
        cwd: REPO_ROOT,
        env: env(role, port),
      });
      const url = `http://127.0.0.1:${port}`;
      return { child, ready: waitForHttpOk(`${url}/readyz`, child, 90_000).then(() => ({ url, child })) };
    });
  const [gateway, webhook, worker] = await Promise.all([
    start('gateway'),
    start('webhook-receiver'),
    start('worker'),
  ]);
  return { gateway, webhook, worker };
}

/** Polls `url` until it answers 200, failing early if the child exits. */
export async function waitForHttpOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  const http = new HttpClient(2);
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${child.name} exited while starting; see ${child.logFile}`);
      try {
        if ((await http.request('GET', url, { timeoutMs: 2000 })).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms; see ${child.logFile}`);
      await sleep(200);
    }
  } finally {
    http.close();
  }
}
