import type { Tracer } from '@opentelemetry/api';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import type { Config } from '../config';
import { temporalDataConverter } from './data-converter';
import { temporalConnectionOptions } from './tls';

export interface TemporalClients {
  readonly connection: Connection;
  readonly client: Client;
}

/**
 * Lazy so a gateway can start (and answer /readyz with 503) while Temporal is still down;
 * the connection dials on first use and re-dials by itself after an outage.
 *
 * No gRPC retry interceptor: our callers own retries (the dispatcher retries POST /charge, Stripe
 * retries webhooks), so each call gets one attempt under a deadline and a prompt 503. The SDK's
 * retry timers also outlived a closed connection and threw at shutdown after an outage.
 * With a tracer, every start, signal and update is a span whose context the workflow continues.
 */
export function createTemporalClient(
  config: Pick<Config, 'temporal' | 'codec'>,
  tracer?: Tracer,
): TemporalClients {
  const connection = Connection.lazy({ ...temporalConnectionOptions(config), interceptors: [] });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: temporalDataConverter(config.codec),
    // Starts, signals and updates carry the caller's trace context to the workflow (in its headers).
    interceptors: tracer ? { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] } : {},
  });
  return { connection, client };
}
