/**
 * One Stripe budget for a fleet of workers: three worker processes (this process's and two of the
 * compiled binary, on one task queue) take a burst of charges, and Stripe — the stand-in, answering
 * 429 above its own limit as Stripe does — refuses at most 1 % of their requests. The limit is the
 * Stripe task queue's (STRIPE_MAX_REQUESTS_PER_SECOND), held by the Temporal server for every worker
 * together; each worker paces its own requests at its share of it (the rate divided by the workers
 * polling the queue, src/stripe/fleet-pace.ts), so the burst Temporal's token bucket hands out after
 * an idle time (about twice the rate at once) does not reach Stripe from the three together
 * (README, Flash sales).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { endRole, spawnRole, type RoleProcess } from '../../chaos/common/roles';
import { LOCAL_CODEC_KEYS } from '../support/codec';
import {
  AUTH_HEADER,
  startTestService,
  TEST_STRIPE_KEY,
  TEST_WEBHOOK_SECRET,
  type TestService,
} from '../support/service';
import { stack } from '../support/stack';
import {
  startTestStandin,
  startWebhookRelay,
  type TestStandin,
  type WebhookRelay,
} from '../support/stripe-standin';
import { testLogFile } from '../support/test-logs';
import { waitUntil } from '../support/wait';

/** The stand-in's limit (Stripe's test mode allows 25 a second; scaled down to keep the test short). */
const STRIPE_LIMIT = 10;
/** Under it by 2: the workers' pacing keeps the fleet at it, and their three phases may bunch a little. */
const QUEUE_RATE = 8;
const WORKERS = 3;
const CHARGES = 100;

/** The sum of a metric's series in a worker's /metrics. */
async function metricOf(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1) ?? 0), 0);
}

describe('the Stripe rate limit across three worker processes', { timeout: 240_000 }, () => {
  let standin: TestStandin;
  let relay: WebhookRelay;
  let service: TestService;
  const workers: RoleProcess[] = [];
  before(async () => {
    standin = await startTestStandin(
      { rate_limit_per_second: STRIPE_LIMIT, webhooks: { retry_base_ms: 300 } },
      { stripeMock: true },
    );
    service = await startTestService({
      STRIPE_API_BASE: standin.url,
      STRIPE_MAX_REQUESTS_PER_SECOND: String(QUEUE_RATE),
    });
    relay = await startWebhookRelay(`${service.url}/stripe/webhook`);
    await standin.control.registerWebhookEndpoint({ url: relay.url, secret: TEST_WEBHOOK_SECRET });
    for (const n of [1, 2]) {
      workers.push(
        await spawnRole(
          'worker',
          {
            STRIPE_KEY: TEST_STRIPE_KEY,
            STRIPE_API_BASE: standin.url,
            STRIPE_MAX_REQUESTS_PER_SECOND: String(QUEUE_RATE),
            TEMPORAL_ADDRESS: stack.temporalAddress,
            TEMPORAL_NAMESPACE: stack.temporalNamespace,
            TEMPORAL_TASK_QUEUE: service.config.temporal.taskQueue,
            KAFKA_BROKERS: stack.kafkaBrokers,
            PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
            LOG_LEVEL: 'warn',
          },
          testLogFile(`fleet-worker-${n}`),
        ),
      );
    }
  });
  after(async () => {
    for (const worker of workers) await endRole(worker, 'SIGTERM');
    await service?.stop();
    await relay?.close();
    await standin?.close();
  });

  it(`keeps ${CHARGES} charges on three workers within Stripe's limit: at most 1 % answered 429`, async () => {
    // Each worker counts the fleet every 10 s; the test starts once all three have.
    const share = QUEUE_RATE / WORKERS;
    await waitUntil(
      async () => {
        const own = (
          await service.metrics.registry.getSingleMetric('payments_stripe_pace_requests_per_second')?.get()
        )?.values[0]?.value;
        const others = await Promise.all(
          workers.map((w) => metricOf(w.url, 'payments_stripe_pace_requests_per_second')),
        );
        return [own, ...others].every((v) => v === share);
      },
      `every worker paced at ${share}/s`,
      60_000,
    );
    const { last_seq: before } = await standin.control.requests();
    const eventIds = Array.from({ length: CHARGES }, () => `evt-fleet-${randomUUID()}`);
    const answers = await Promise.all(
      eventIds.map((eventId) =>
        fetch(`${service.url}/charge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH_HEADER },
          body: JSON.stringify({
            event_id: eventId,
            order_id: `order-${eventId}`,
            amount: 1500,
            currency: 'usd',
            payment_method: 'pm_card_visa',
          }),
        }),
      ),
    );
    assert.ok(
      answers.every((a) => a.status === 202),
      'every charge accepted at once',
    );
    const created = await waitUntil(
      async () => {
        const { data } = await standin.control.requests({
          after: before,
          method: 'POST',
          path: '/v1/payment_intents',
        });
        const ok = data.filter((r) => r.status === 200 && !r.replayed);
        return ok.length >= CHARGES ? ok : undefined;
      },
      `${CHARGES} PaymentIntents created at Stripe`,
      120_000,
    );
    assert.equal(created.length, CHARGES, 'one PaymentIntent per charge');

    const { data: all } = await standin.control.requests({ after: before });
    const refused = all.filter((r) => r.status === 429).length;
    assert.ok(
      refused <= all.length * 0.01,
      `${refused} of ${all.length} Stripe requests answered 429 (at most 1 %)`,
    );
    // Three pacers at a third of the rate: in any second at most the rate, plus one per worker at
    // a window's edge. Paced at the whole rate each, the bucket's first burst (about twice the
    // rate) reaches the stand-in within the first second.
    const seenAt = all.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const busiest = Math.max(...seenAt.map((t) => seenAt.filter((u) => u >= t && u < t + 1000).length));
    assert.ok(
      busiest <= QUEUE_RATE + WORKERS,
      `at most ${QUEUE_RATE + WORKERS} Stripe requests in any 1 s, saw ${busiest}`,
    );
    // Each of the three workers took part.
    const perWorker = [
      Number(
        (
          await service.metrics.registry.getSingleMetric('payments_stripe_requests_total')?.get()
        )?.values.reduce((sum, v) => sum + v.value, 0) ?? 0,
      ),
      ...(await Promise.all(workers.map((w) => metricOf(w.url, 'payments_stripe_requests_total')))),
    ];
    assert.ok(
      perWorker.every((calls) => calls > 0),
      `Stripe calls per worker: ${perWorker.join(', ')}`,
    );
  });
});
