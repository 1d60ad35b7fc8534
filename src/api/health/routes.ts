import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics';
import type { ReadinessCheck } from '../../observability/readiness';
import { StringEnum, StringMap } from '../schema-types';

const CHECK_TIMEOUT_MS = 2500;

const readinessSchema = Type.Object({
  status: StringEnum(['ready', 'not_ready']),
  failing: Type.Array(Type.String(), { description: 'The checks that failed' }),
  checks: StringMap(Type.String(), { description: "Each check's result: `ok`, or why it failed" }),
});

const livenessSchema = Type.Object({ status: Type.String() });

/** Runs every check at once; each result is 'ok' or why it failed. */
async function runChecks(checks: readonly ReadinessCheck[]): Promise<Array<readonly [string, string]>> {
  return Promise.all(
    checks.map(async (dependency) => {
      const { name } = dependency;
      try {
        await withTimeout(dependency.check(), CHECK_TIMEOUT_MS, name);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : 'failed'] as const;
      }
    }),
  );
}

/** /healthz, /readyz and /metrics: served by every mode on the same port, never behind auth. */
export async function healthRoutes(
  app: FastifyInstance,
  opts: {
    readiness: readonly ReadinessCheck[];
    metrics: Metrics;
    extraMetrics?: () => Promise<string>;
    /** Refreshes gauges read from elsewhere (the gateway's overdue charges) before /metrics answers. */
    beforeScrape?: () => Promise<void>;
  },
): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is alive',
        operationId: 'getLiveness',
        security: [],
        response: { 200: { ...livenessSchema, description: 'Alive' } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Every dependency of this mode answers; 503 names the failing ones',
        operationId: 'getReadiness',
        security: [],
        response: {
          200: { ...readinessSchema, description: 'Every check passed' },
          503: {
            ...readinessSchema,
            description: 'Not ready: `failing` names the checks, `checks` says why',
          },
        },
      },
    },
    async (_request, reply) => {
      const results = await runChecks(opts.readiness);
      const failing = results.filter(([, result]) => result !== 'ok').map(([name]) => name);
      return reply.code(failing.length === 0 ? 200 : 503).send({
        status: failing.length === 0 ? 'ready' : 'not_ready',
        failing,
        checks: Object.fromEntries(results),
      });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        operationId: 'getMetrics',
        security: [],
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      // Readiness as a metric too: what /readyz would answer now, whether or not a probe asked it
      // (alert rules cannot see probe answers; a local run has no probe at all).
      const [results] = await Promise.all([runChecks(opts.readiness), opts.beforeScrape?.()]);
      for (const [dependency, result] of results) {
        opts.metrics.dependencyReady.set({ dependency }, result === 'ok' ? 1 : 0);
      }
      const { registry } = opts.metrics;
      const [own, extra] = await Promise.all([registry.metrics(), opts.extraMetrics?.() ?? '']);
      return reply.type(registry.contentType).send(extra === '' ? own : `${own}\n${extra}`);
    },
  );
}

/** A check that does not answer in time fails, so one hung dependency cannot hang /readyz. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
