/**
 * The dedupe window on the real stack: a gateway on a namespace that forgets closed charges sooner
 * than CHARGE_DEDUPE_WINDOW is not ready and takes no charge, saying why; on the local stack's own
 * namespace (retention 192h, set by scripts/stack/up.sh) it is ready and takes charges. A gateway
 * that started while Temporal was down does the same until it has read the retention, which it
 * reads again within seconds once Temporal answers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawnService, type SpawnedService } from '../support/spawned-service';
import { AUTH_HEADER, startTestService, TEST_API_TOKEN } from '../support/service';
import { stack, stackValue } from '../support/stack';
import { startTcpGate } from '../support/tcp-gate';
import { waitUntil } from '../support/wait';

const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');

function temporalCli(args: string[]): string {
  return execFileSync(TEMPORAL_CLI, [...args, '--address', stack.temporalAddress], { encoding: 'utf8' });
}

function gateway(namespace: string): Promise<SpawnedService> {
  return spawnService({
    PAYMENTS_MODE: 'gateway',
    STRIPE_KEY: 'sk_test_dedupe',
    CHARGE_API_TOKEN: TEST_API_TOKEN,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: `dedupe-${randomUUID()}`,
    LOG_LEVEL: 'error',
  });
}

const readyz = async (service: { url: string }) => {
  const res = await fetch(`${service.url}/readyz`);
  return {
    status: res.status,
    body: (await res.json()) as { failing: string[]; checks: Record<string, string> },
  };
};

const postCharge = (service: { url: string }) =>
  fetch(`${service.url}/charge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH_HEADER },
    body: JSON.stringify({
      event_id: `evt-dedupe-${randomUUID()}`,
      order_id: 'order-dedupe',
      amount: 1999,
      currency: 'usd',
    }),
  });

describe('the dedupe window against the namespace retention', { timeout: 120_000 }, () => {
  it('refuses charges, and is not ready, on a namespace that keeps closed workflows 24h (window 8d)', async () => {
    const namespace = `short-retention-${randomUUID().slice(0, 8)}`;
    temporalCli(['operator', 'namespace', 'create', '--namespace', namespace, '--retention', '24h']);
    // A new namespace reaches the frontend's cache within a few seconds.
    await waitUntil(async () => {
      try {
        return (
          temporalCli(['operator', 'namespace', 'describe', '--namespace', namespace]).includes('24h') ||
          undefined
        );
      } catch {
        return undefined;
      }
    }, 'the namespace to be visible');

    const service = await gateway(namespace);
    try {
      const notReady = await waitUntil(async () => {
        const r = await readyz(service);
        return r.body.failing.includes('dedupe_window') ? r : undefined;
      }, 'readyz to name dedupe_window');
      assert.equal(notReady.status, 503);
      assert.match(
        notReady.body.checks['dedupe_window'] ?? '',
        /keeps closed workflows for 1d, shorter than the dedupe window of 8d/,
      );

      const refused = await postCharge(service);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      const body = (await refused.json()) as { error: string; message: string };
      assert.equal(body.error, 'dedupe_window_not_kept');
      assert.match(body.message, /raise the namespace's retention/);
    } finally {
      assert.equal(await service.stop(), 0);
    }
  });

  it("is ready and takes charges on the local stack's namespace, whose retention covers the window", async () => {
    const service = await gateway(stackValue('TEMPORAL_NAMESPACE'));
    try {
      await waitUntil(async () => (await readyz(service)).status === 200 || undefined, 'ready');
      assert.equal((await postCharge(service)).status, 202);
    } finally {
      assert.equal(await service.stop(), 0);
    }
  });

  it('takes no charge, and is not ready, until it has read the retention; reads it within seconds once Temporal is back', async () => {
    const temporal = await startTcpGate(stack.temporalAddress, 'refusing');
    const service = await startTestService({ PAYMENTS_MODE: 'gateway', TEMPORAL_ADDRESS: temporal.address });
    try {
      const down = await waitUntil(async () => {
        const r = await readyz(service);
        return /could not be read/.test(r.body.checks['dedupe_window'] ?? '') ? r : undefined;
      }, 'readyz to say the retention could not be read');
      assert.equal(down.status, 503);
      assert.ok(down.body.failing.includes('dedupe_window'), down.body.failing.join(','));

      const refused = await postCharge(service);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      const body = (await refused.json()) as { error: string; message: string };
      assert.equal(body.error, 'dedupe_window_unconfirmed');
      assert.match(
        body.message,
        /the retention of namespace default could not be read; it is read again within/,
      );

      temporal.set('open');
      // The backoff after the first failed reads is 1, 2, 4 … s, so well under the 5-minute check.
      await waitUntil(async () => (await readyz(service)).status === 200 || undefined, 'ready', 30_000);
      assert.equal((await postCharge(service)).status, 202);
    } finally {
      await service.stop();
      await temporal.close();
    }
  });
});
