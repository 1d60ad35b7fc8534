import { Client, Connection } from '@temporalio/client';
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
 */
export function createTemporalClient(config: Pick<Config, 'temporal' | 'codec'>): TemporalClients {
  const connection = Connection.lazy({ ...temporalConnectionOptions(config), interceptors: [] });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: temporalDataConverter(config.codec),
  });
  return { connection, client };
}
