/**
 * POST /charge with `Prefer: wait=10` against a Temporal that accepts connections and never answers
 * (a hung server or network, the slowest outage there is): the gateway answers 503 with Retry-After
 * within the 5 s the README promises, not after the caller's 10 s wait plus a describe (~15 s). The
 * real SDK client, over a loopback socket that stays silent; no stack needed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { RETRY_AFTER_SECONDS } from '../../src/api/errors';
import { createChargeWorkflows, TEMPORAL_CALL_DEADLINE_MS } from '../../src/api/temporal/charge-workflows';
import { DEFAULT_CHARGE_TIMING } from '../../src/contracts/charge';
import { DEFAULT_REFUND_WINDOW_SECONDS } from '../../src/contracts/refund';
import { createMetrics } from '../../src/observability/metrics';
import { FakeDisputeWorkflows } from '../support/fake-dispute-workflows';
import { startTcpGate, type TcpGate } from '../support/tcp-gate';
import { DEFAULT_TOPIC_NAMES, FakeDedupeWindow, TEST_API_TOKEN } from '../support/test-app';

/**
 * Today's answer takes ~15 s (10 s wait, then a 5 s describe); the promise is 5 s. 8 s leaves a loaded
 * machine 3 s of slack without letting the old behaviour pass.
 */
const BOUND_MS = 8_000;

describe('POST /charge with Prefer: wait=10 while Temporal never answers', { timeout: 60_000 }, () => {
  let gate: TcpGate;
  let connection: Connection;
  let app: FastifyInstance;
  before(async () => {
    // The gate's target is never dialled: it stays silent.
    gate = await startTcpGate('127.0.0.1:9', 'silent');
    connection = Connection.lazy({ address: gate.address, interceptors: [] });
    app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      readiness: [],
      gateway: {
        charges: createChargeWorkflows(new Client({ connection, namespace: 'default' }), 'q'),
        disputes: new FakeDisputeWorkflows(),
        dedupe: new FakeDedupeWindow(),
        apiTokens: [TEST_API_TOKEN],
        timing: DEFAULT_CHARGE_TIMING,
        refundWindowSeconds: DEFAULT_REFUND_WINDOW_SECONDS,
        topics: DEFAULT_TOPIC_NAMES,
      },
    });
    // Plugins load and schemas compile now, so the time measured is the request's alone.
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await connection?.close();
    await gate?.close();
  });

  it(`answers 503 with Retry-After within the ${TEMPORAL_CALL_DEADLINE_MS / 1000} s call deadline (bound ${BOUND_MS / 1000} s), naming no SDK detail`, async () => {
    const id = randomUUID();
    const sent = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: '/charge',
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, prefer: 'wait=10' },
      payload: { event_id: `evt-hung-${id}`, order_id: `order-${id}`, amount: 1999, currency: 'usd' },
    });
    const tookMs = Date.now() - sent;
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.headers['retry-after'], String(RETRY_AFTER_SECONDS));
    assert.equal(res.json<{ error: string }>().error, 'unavailable');
    assert.ok(!/deadline|grpc/i.test(res.body), res.body);
    assert.ok(tookMs < BOUND_MS, `answered after ${tookMs} ms`);
    assert.ok(
      tookMs >= TEMPORAL_CALL_DEADLINE_MS - 1000,
      `answered after ${tookMs} ms: the silence was waited for`,
    );
  });
});
