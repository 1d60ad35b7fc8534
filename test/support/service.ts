import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { startService, type RunningService } from '../../src/service';
import { LOCAL_CODEC_KEYS } from './codec';
import { stack } from './stack';
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
