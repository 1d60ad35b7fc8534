/**
 * The shared initialisation of the one binary: builds the parts every role shares once (config,
 * logger and metrics come in; the Stripe client and the Temporal client connection are made here),
 * starts the roles `config.mode` names, and serves what they serve on one HTTP port.
 */
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app';
import { createChargeWorkflows } from './api/temporal/charge-workflows';
import { createDisputeWorkflows } from './api/temporal/dispute-workflows';
import { createTemporalClient } from './clients/temporal';
import { modeRoles, type Config, type PaymentsMode } from './config';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { createTracing } from './observability/tracing';
import type { SharedParts, SharedTemporal, StartedRole, StartRole } from './roles/shared-parts';
import { createStripeClient, type StripeClient } from './stripe/client';
import { createPacer } from './stripe/pacer';

export interface RunningService {
  readonly app: FastifyInstance;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /**
   * Ordered shutdown: stop taking requests, drain the worker, disconnect Kafka, close Temporal,
   * flush the last spans.
   */
  stop(): Promise<void>;
}

/**
 * Every role, by the name PAYMENTS_MODE uses. Loaded on demand: a gateway never loads the worker's
 * module, whose SDK side (native core, bundler) would cost it memory for nothing.
 */
const ROLES: Record<Exclude<PaymentsMode, 'all'>, () => Promise<{ start: StartRole }>> = {
  gateway: () => import('./roles/gateway'),
  'webhook-receiver': () => import('./roles/webhook-receiver'),
  worker: () => import('./roles/worker'),
  'codec-server': () => import('./roles/codec-server'),
};

/** Starts the roles of `config.mode` in this process. */
export async function startService(
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<RunningService> {
  const roleNames = modeRoles(config.mode);
  // Run in reverse at shutdown: the HTTP server first, then the roles (last started, first
  // stopped), then the shared Temporal connection, which the first role to ask for it registered.
  const closers: Array<() => Promise<void>> = [];
  // First in, last out: the spans of everything that stops before it are still exported.
  const tracing = createTracing(config);
  closers.push(() => tracing.shutdown());
  let temporal: SharedTemporal | undefined;
  let stripe: StripeClient | undefined;
  // Every Stripe request of the process waits its slot here; the worker sets its share of the fleet.
  const stripePacer = createPacer(config.stripe.maxRequestsPerSecond);
  const shared: SharedParts = {
    config,
    logger,
    metrics,
    tracing,
    // Made on first use: the codec server never asks, and holds no Stripe key to make it with.
    get stripe() {
      stripe ??= createStripeClient(config, { tracer: tracing.tracer, pacer: stripePacer });
      return stripe;
    },
    stripePacer,
    temporal: () => {
      temporal ??= connectTemporal(config, closers, tracing.tracer);
      return temporal;
    },
  };

  try {
    const roles: StartedRole[] = [];
    for (const name of roleNames) {
      const { start } = await ROLES[name]();
      const role = await start(shared);
      closers.push(() => role.stop());
      roles.push(role);
    }
    const app = await buildApp({
      logger,
      metrics,
      tracer: tracing.tracer,
      readiness: [...new Set(roles.flatMap((role) => role.readiness))],
      ...roles.reduce<StartedRole['http']>((served, role) => ({ ...served, ...role.http }), {}),
    });
    closers.push(() => app.close());
    const url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url, mode: config.mode, roles: roleNames }, 'payments service started');

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

/**
 * The gateway's and the webhook receiver's client connection. Lazy, so a gateway starts (and answers
 * /readyz with 503) while Temporal is still down.
 */
function connectTemporal(
  config: Config,
  closers: Array<() => Promise<void>>,
  tracer: Tracer,
): SharedTemporal {
  const { connection, client } = createTemporalClient(config, tracer);
  closers.push(() => connection.close());
  return {
    connection,
    client,
    charges: createChargeWorkflows(client, config.temporal.taskQueue),
    disputes: createDisputeWorkflows(client, config.temporal.taskQueue, config.disputeTiming),
    readiness: {
      name: 'temporal',
      check: () =>
        connection.withDeadline(Date.now() + 2000, async () => {
          await connection.workflowService.getSystemInfo({});
        }),
    },
  };
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
