/**
 * The roles table of src/service.ts, without a stack: a mode serves its own roles' routes and checks
 * its own roles' dependencies (a Temporal nobody answers for shows in /readyz, it does not stop the
 * start), and stops once however often it is asked. Every mode against the real stack, the worker
 * included: test/integration/modes.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/observability/logger';
import { createMetrics } from '../src/observability/metrics';
import { startService, type RunningService } from '../src/service';
import { LOCAL_CODEC_KEYS } from './support/codec';
import { freePort } from './support/ports';

const TOKEN = 'service-test-token-0123456789';

async function startMode(mode: 'gateway' | 'webhook-receiver' | 'codec-server'): Promise<RunningService> {
  const config = loadConfig({
    PAYMENTS_MODE: mode,
    PORT: '0',
    LOG_LEVEL: 'silent',
    // The codec server is deployed without one.
    ...(mode === 'codec-server' ? {} : { STRIPE_KEY: 'sk_test_service' }),
    STRIPE_WEBHOOK_SECRET: 'whsec_service',
    CHARGE_API_TOKEN: TOKEN,
    PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
    CODEC_SERVER_TOKEN: TOKEN,
    // Nothing listens there: the roles must start anyway (their Temporal connection is lazy).
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
  });
  return startService(config, createLogger(config), createMetrics());
}

async function readyz(service: RunningService) {
  const res = await service.app.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, body: res.json<{ failing: string[]; checks: object }>() };
}

describe('the service in gateway mode, Temporal unreachable', { timeout: 60_000 }, () => {
  let service: RunningService;
  before(async () => {
    service = await startMode('gateway');
  });
  after(() => service?.stop());

  it('serves the charge API and not the webhook', async () => {
    const charge = await service.app.inject({ method: 'POST', url: '/charge', payload: {} });
    assert.equal(charge.statusCode, 401, 'the route is there: it asks for the bearer token');
    const webhook = await service.app.inject({ method: 'POST', url: '/stripe/webhook', payload: '{}' });
    assert.equal(webhook.statusCode, 404);
  });

  it('checks the dedupe window and Temporal, and names both as failing: the window is unconfirmed until Temporal answers', async () => {
    const { status, body } = await readyz(service);
    assert.equal(status, 503);
    assert.deepEqual(Object.keys(body.checks), ['dedupe_window', 'temporal']);
    // The dedupe window fails closed: with Temporal unreachable its retention cannot have been read.
    assert.deepEqual(body.failing, ['dedupe_window', 'temporal']);
  });
});

describe('the service in webhook-receiver mode, Temporal unreachable', { timeout: 60_000 }, () => {
  let service: RunningService;
  before(async () => {
    service = await startMode('webhook-receiver');
  });
  after(() => service?.stop());

  it('serves the webhook and not the charge API', async () => {
    const webhook = await service.app.inject({
      method: 'POST',
      url: '/stripe/webhook',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=forged' },
      payload: '{}',
    });
    assert.equal(webhook.statusCode, 400, 'the route is there: it refuses the forged signature');
    const charge = await service.app.inject({ method: 'POST', url: '/charge', payload: {} });
    assert.equal(charge.statusCode, 404);
  });

  it('checks Temporal only', async () => {
    const { status, body } = await readyz(service);
    assert.equal(status, 503);
    assert.deepEqual(Object.keys(body.checks), ['temporal']);
  });
});

describe('the service in codec-server mode', { timeout: 60_000 }, () => {
  let service: RunningService;
  before(async () => {
    service = await startMode('codec-server');
  });
  after(() => service?.stop());

  it('serves the codec protocol and neither the charge API nor the webhook', async () => {
    const decode = await service.app.inject({
      method: 'POST',
      url: '/decode',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { payloads: [] },
    });
    assert.equal(decode.statusCode, 200);
    assert.deepEqual(decode.json(), { payloads: [] });
    for (const url of ['/charge', '/stripe/webhook']) {
      const res = await service.app.inject({ method: 'POST', url, payload: {} });
      assert.equal(res.statusCode, 404, url);
    }
  });

  it('is ready with nothing to check: it connects to nothing', async () => {
    const { status, body } = await readyz(service);
    assert.equal(status, 200);
    assert.deepEqual(body.checks, {});
  });
});

describe('stopping the service', { timeout: 60_000 }, () => {
  it('stops once, however often it is asked, and then no longer listens', async () => {
    const service = await startMode('gateway');
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
    const first = service.stop();
    assert.equal(service.stop(), first, 'a second SIGTERM joins the shutdown under way');
    await first;
    await assert.rejects(fetch(`${service.url}/healthz`));
  });
});
