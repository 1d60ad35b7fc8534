/**
 * /readyz follows the dependencies of its mode: a stopped Kafka broker shows, and recovers by itself;
 * /metrics shows the same as payments_dependency_ready (what the readiness alert reads).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { spawnService } from '../support/spawned-service';
import { stack, startStackParts, stopStackParts } from '../support/stack';
import { waitUntil } from '../support/wait';

describe('/readyz during a Kafka outage', { timeout: 180_000 }, () => {
  it('turns 503 naming kafka while the broker is stopped, and 200 again once it is back', async () => {
    const worker = await spawnService({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_readiness',
      STRIPE_API_BASE: stack.stripeMockUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      KAFKA_BROKERS: stack.kafkaBrokers,
      TEMPORAL_TASK_QUEUE: `readiness-${randomUUID()}`,
      LOG_LEVEL: 'error',
    });
    const readyz = async () => {
      const res = await fetch(`${worker.url}/readyz`);
      return {
        status: res.status,
        body: (await res.json()) as { failing: string[]; checks: Record<string, string> },
      };
    };
    const kafkaReady = async () =>
      /^payments_dependency_ready\{dependency="kafka"[^}]*\} (\d)$/m.exec(
        await (await fetch(`${worker.url}/metrics`)).text(),
      )?.[1];
    try {
      await waitUntil(async () => (await readyz()).status === 200, 'ready before the outage');
      assert.equal(await kafkaReady(), '1');
      await stopStackParts(['kafka']);
      try {
        const down = await waitUntil(async () => {
          const r = await readyz();
          return r.status === 503 ? r : undefined;
        }, '503 while Kafka is down');
        assert.deepEqual(down.body.failing, ['kafka']);
        assert.match(down.body.checks['kafka'] ?? '', /no Kafka broker reachable/);
        assert.equal(await kafkaReady(), '0', 'the metric says so too');
      } finally {
        await startStackParts(['kafka']);
      }
      const back = await waitUntil(
        async () => {
          const r = await readyz();
          return r.status === 200 ? r : undefined;
        },
        '200 once Kafka is back',
        60_000,
      );
      assert.deepEqual(back.body.failing, []);
      assert.equal(await kafkaReady(), '1');
    } finally {
      assert.equal(await worker.stop(), 0);
    }
  });
});
