/**
 * Writes the OpenAPI document the gateway serves (GET /openapi.json) to a file, for `redocly lint`
 * (npm test's "openapi lint" step):
 *
 *   node --import tsx scripts/openapi-document.ts test-results/openapi.json
 *
 * The document depends on the routes alone, so the app is built with the gateway's and the webhook
 * receiver's routes over stand-ins that nothing calls: no Temporal, Stripe or Kafka is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/api/app';
import { DEFAULT_CHARGE_TIMING } from '../src/contracts/charge';
import { DEFAULT_LATE_SUCCESS_POLICY } from '../src/contracts/late-outcome';
import { DEFAULT_REFUND_WINDOW_SECONDS } from '../src/contracts/refund';
import { TOPIC_KEYS, TOPICS, type TopicNames } from '../src/contracts/topics';
import { createMetrics } from '../src/observability/metrics';

/** An object no route registration touches; any use while writing the document is a bug here. */
function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`${what}.${String(property)} was used while writing the OpenAPI document`);
    },
  });
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (out === undefined) throw new Error('usage: openapi-document.ts <output file>');
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    readiness: [],
    gateway: {
      charges: unused('charges'),
      disputes: unused('disputes'),
      dedupe: unused('dedupe'),
      apiTokens: [],
      timing: DEFAULT_CHARGE_TIMING,
      refundWindowSeconds: DEFAULT_REFUND_WINDOW_SECONDS,
      topics: Object.fromEntries(TOPIC_KEYS.map((key) => [key, TOPICS[key].default])) as TopicNames,
    },
    webhook: {
      charges: unused('charges'),
      disputes: unused('disputes'),
      webhooks: unused('webhooks'),
      lateSuccessPolicy: DEFAULT_LATE_SUCCESS_POLICY,
    },
  });
  try {
    await app.ready();
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(app.swagger(), null, 2)}\n`);
    console.log(`OpenAPI document: ${out}`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
