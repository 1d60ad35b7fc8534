import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import { after, before } from 'node:test';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { startService, type RunningService } from '../../src/service';
import { LOCAL_CODEC_KEYS, localDataConverter } from './codec';
import { stack } from './stack';
import { startStripeRecordingProxy, type StripeRecordingProxy } from './stripe-recording-proxy';
import { noteSecrets, testLogFile } from './test-logs';

export const TEST_STRIPE_KEY = 'sk_test_integrationsuite';
export const TEST_WEBHOOK_SECRET = 'whsec_integration_suite';
export const TEST_API_TOKEN = 'integration-api-token-0123456789';
export const AUTH_HEADER = { authorization: `Bearer ${TEST_API_TOKEN}` };

export interface TestService extends RunningService {
  readonly config: Config;
  readonly metrics: Metrics;
  /** Every JSON log line the service wrote, parsed (and kept in a file of test-results/logs/). */
  readonly logs: Array<Record<string, unknown>>;
}

/**
 * The real service, in this process, against the real stack: its own task queue so tests never
 * share a worker, port 0 so runs never collide, and its log lines captured.
 */
export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const variables: Record<string, string> = {
    PAYMENTS_MODE: 'all',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    STRIPE_KEY: TEST_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    CHARGE_API_TOKEN: TEST_API_TOKEN,
    STRIPE_API_BASE: stack.stripeMockUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    KAFKA_BROKERS: stack.kafkaBrokers,
    // The local key, so what the service writes reads in the local stack's Web UI too.
    PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
    TEMPORAL_TASK_QUEUE: `it-${randomUUID()}`,
    ...env,
  };
  noteSecrets(variables);
  const config = loadConfig(variables);
  const logs: Array<Record<string, unknown>> = [];
  const logFile = testLogFile(`in-process-${config.mode}`);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      fs.appendFileSync(logFile, chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const metrics = createMetrics();
  const service = await startService(config, createLogger(config, sink), metrics);
  return Object.assign(service, { config, metrics, logs });
}

/** A service whose Stripe calls go through a recording proxy, and a Temporal client to await charges. */
export interface ProxiedService {
  readonly proxy: StripeRecordingProxy;
  readonly service: TestService;
  readonly temporal: Client;
  stop(): Promise<void>;
}

export async function startServiceBehindStripeProxy(
  env: Record<string, string> = {},
): Promise<ProxiedService> {
  const proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
  const service = await startTestService({ STRIPE_API_BASE: proxy.url, ...env });
  const temporal = new Client({
    connection: await Connection.connect({ address: stack.temporalAddress }),
    dataConverter: localDataConverter(),
  });
  return {
    proxy,
    service,
    temporal,
    async stop() {
      await service.stop();
      await temporal.connection.close();
      await proxy.close();
    },
  };
}

/** The parts of a service behind a Stripe proxy that a suite's tests use. */
export type SuiteService = Pick<ProxiedService, 'proxy' | 'service' | 'temporal'>;

/**
 * For the describe block it is called in: the service behind a Stripe recording proxy, started
 * before the block's tests and stopped after them. Read its parts inside the tests (they exist once
 * the block's `before` has run).
 */
export function proxiedServiceForSuite(env: Record<string, string> = {}): SuiteService {
  let running: ProxiedService | undefined;
  before(async () => {
    running = await startServiceBehindStripeProxy(env);
  });
  after(() => running?.stop());
  const started = (): ProxiedService => {
    if (running === undefined) throw new Error("the service starts in the suite's before hook");
    return running;
  };
  return {
    get proxy() {
      return started().proxy;
    },
    get service() {
      return started().service;
    },
    get temporal() {
      return started().temporal;
    },
  };
}
