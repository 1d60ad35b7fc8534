/**
 * /metrics carries readiness as a gauge (payments_dependency_ready, what /readyz would answer at the
 * scrape), and refreshes the gauges read from elsewhere before it answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../../src/api/app';
import { createMetrics } from '../../../src/observability/metrics';

describe('/metrics and readiness', () => {
  let app: FastifyInstance;
  let kafkaDown = true;
  let scrapes = 0;
  before(async () => {
    const metrics = createMetrics();
    app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics,
      readiness: [
        { name: 'temporal', check: async () => undefined },
        {
          name: 'kafka',
          check: async () => {
            if (kafkaDown) throw new Error('no Kafka broker reachable (127.0.0.1:1)');
          },
        },
      ],
      beforeScrape: async () => {
        scrapes += 1;
        metrics.chargesOverdue.set({ reason: 'no_payment_intent' }, 7);
      },
    });
  });
  after(async () => {
    await app.close();
  });

  const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const ready = (text: string, dependency: string) =>
    new RegExp(
      `^payments_dependency_ready\\{dependency="${dependency}",service="payments"\\} (\\d)$`,
      'm',
    ).exec(text)?.[1];

  it('shows each dependency of the readiness checks as 1 (passing) or 0 (failing) at the scrape', async () => {
    const down = await scrape();
    assert.equal(ready(down, 'temporal'), '1');
    assert.equal(ready(down, 'kafka'), '0');
    kafkaDown = false;
    assert.equal(ready(await scrape(), 'kafka'), '1', 'and follows the dependency back');
    const readyz = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(readyz.statusCode, 200, 'the same checks /readyz runs');
  });

  it('refreshes the gauges read from elsewhere before it answers', async () => {
    const before = scrapes;
    const text = await scrape();
    assert.equal(scrapes, before + 1);
    assert.match(text, /^payments_charges_overdue\{reason="no_payment_intent",service="payments"\} 7$/m);
  });
});
