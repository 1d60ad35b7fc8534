import type { LateSuccessPolicy } from '../contracts/late-outcome';
import { randomUUID } from 'node:crypto';
import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifySchema,
} from 'fastify';
import { asyncApiDocument } from '../contracts/asyncapi';
import type { CapturePolicy, ChargeTiming } from '../contracts/charge';
import type { ProviderWebhooks } from '../contracts/payment-provider';
import type { TopicNames } from '../contracts/topics';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { chargeActionRoutes } from './charges/action-routes';
import { codecServerRoutes, type CodecServerDeps } from './codec/routes';
import { chargeRoutes } from './charges/routes';
import { registerErrorHandler } from './errors';
import type { ReadinessCheck } from '../observability/readiness';
import { healthRoutes } from './health/routes';
import { registerHttpTracing } from './http-tracing';
import { stripeWebhookRoutes } from './stripe-webhook/routes';
import type { ChargeWorkflows } from './temporal/charge-workflows';
import type { DedupeWindow } from './temporal/dedupe-window';
import type { DisputeWorkflows } from './temporal/dispute-workflows';

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: readonly ReadinessCheck[];
  /** Present in the service: one span per request (src/observability/tracing.ts). */
  readonly tracer?: Tracer;
  /** More Prometheus text for /metrics (the Temporal SDK's worker metrics, in worker modes). */
  readonly extraMetrics?: () => Promise<string>;
  /** Refreshes gauges read from elsewhere before /metrics answers (the gateway's overdue charges). */
  readonly beforeScrape?: () => Promise<void>;
  /** Present when this process serves the gateway role. */
  readonly gateway?: {
    readonly charges: ChargeWorkflows;
    /** Lists a succeeded charge's disputes on GET /charges/:event_id. */
    readonly disputes: Pick<DisputeWorkflows, 'listForCharge'>;
    readonly dedupe: Pick<DedupeWindow, 'windowSeconds' | 'refusal'>;
    readonly apiTokens: readonly string[];
    readonly timing: ChargeTiming;
    /** What manual-capture charges do before their hold expires (defaults when absent). */
    readonly capturePolicy?: CapturePolicy;
    /** LATE_SUCCESS_POLICY, given to each charge at start (defaults when absent). */
    readonly lateSuccessPolicy?: LateSuccessPolicy;
    readonly refundWindowSeconds: number;
    /** GET /charges/:event_id answered per second (GATEWAY_MAX_READS_PER_SECOND); none: no limit. */
    readonly maxReadsPerSecond?: number;
    /** The Retry-After for a charge still without a PaymentIntent (poll-hint.ts); none: no header. */
    readonly pollAfterSeconds?: () => number;
    /** The topic names in force, for the AsyncAPI document of the records the worker publishes. */
    readonly topics: TopicNames;
  };
  /** Present when this process serves the webhook-receiver role. */
  readonly webhook?: {
    readonly charges: ChargeWorkflows;
    readonly disputes: DisputeWorkflows;
    readonly webhooks: ProviderWebhooks;
    readonly lateSuccessPolicy: LateSuccessPolicy;
  };
  /** Present when this process serves the codec-server role. */
  readonly codecServer?: CodecServerDeps;
}

/** Builds the HTTP app of any mode; tests call it and use `app.inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Typed as Fastify's logger so the instance keeps Fastify's default generics (pino satisfies it).
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // One line per request is written by our onResponse hook, with route and duration.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024,
    ajv: {
      // Reject, never repair: unknown fields, wrong types and missing values are the caller's bug.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
    },
  });

  registerErrorHandler(app);
  registerRequestObservation(app, deps.metrics);
  // Before any route: it wraps each route's handler as the route is added.
  if (deps.tracer) registerHttpTracing(app, deps.tracer);

  if (deps.gateway) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Bookstore payments service',
          version: '1',
          description: 'Charges an order exactly once per event_id; outcomes are published to Kafka.',
          license: { name: 'UNLICENSED (proprietary)' },
        },
        // Relative: the document is served by the gateway it describes, wherever that runs.
        servers: [{ url: '/', description: 'The gateway that serves this document' }],
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
        tags: [
          { name: 'charges', description: 'For the order dispatcher' },
          { name: 'operations', description: 'Health and metrics' },
          { name: 'stripe', description: 'Signed Stripe webhooks (webhook-receiver role)' },
        ],
      },
      transform: documentedOperation,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    // The events' contract beside the HTTP one: what the worker publishes, under the names in force.
    const asyncApi = asyncApiDocument(deps.gateway.topics);
    app.get('/asyncapi.json', { schema: { hide: true } }, async () => asyncApi);
  }

  await app.register(healthRoutes, {
    readiness: deps.readiness,
    metrics: deps.metrics,
    ...(deps.extraMetrics ? { extraMetrics: deps.extraMetrics } : {}),
    ...(deps.beforeScrape ? { beforeScrape: deps.beforeScrape } : {}),
  });
  if (deps.gateway) {
    await app.register(chargeRoutes, { ...deps.gateway, metrics: deps.metrics });
    await app.register(chargeActionRoutes, deps.gateway);
  }
  if (deps.webhook) {
    await app.register(stripeWebhookRoutes, { ...deps.webhook, metrics: deps.metrics, tracer: deps.tracer });
  }
  if (deps.codecServer) await app.register(codecServerRoutes, deps.codecServer);
  return app;
}

/**
 * How a route appears in the OpenAPI document. The document has no global security requirement, so
 * a route that names none is public and says so (`security: []`: health, metrics, the signed
 * webhook); a route that names no operationId gets one from its method and path
 * (`POST /stripe/webhook` → `postStripeWebhook`), so every operation has one.
 */
const documentedOperation: SwaggerTransform = ({ schema, url, route }) => {
  // Fastify hands routes without a schema over as undefined, whatever the declared type says.
  const given = schema as (FastifySchema & { hide?: boolean }) | undefined;
  if (given === undefined || given.hide === true) return { schema, url };
  const documented: FastifySchema & { security?: unknown; operationId?: string } = { ...given };
  documented.security ??= [];
  documented.operationId ??= operationIdOf(String(route.method), url);
  return { schema: documented, url };
};

/** `POST`, `/charges/:event_id/refund` → `postChargesEventIdRefund`. */
function operationIdOf(method: string, url: string): string {
  const words = url
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return `${method.toLowerCase()}${words.join('')}`;
}

/** One log line and one metric sample per request, labelled by route template (bounded cardinality). */
function registerRequestObservation(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (route === '/healthz' || route === '/readyz' || route === '/metrics') return;
    request.log.info(
      {
        method: request.method,
        route,
        url: request.routeOptions.config.urlHoldsSecret === true ? route : request.url,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
}
