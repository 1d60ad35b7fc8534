/** The flash sale's arithmetic: the emulated Stripe limit, the 1 s windows, the per-second timeline, the bar. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durableChecks, pathFigures, perSecond, type OrderRecord } from '../../bench/flash-sale/figures';
import { durableRecord } from '../../bench/flash-sale/sale';
import { counterTotal, Storefront } from '../../bench/flash-sale/storefront';
import type { HttpClient } from '../../bench/http-client';
import { maxInWindow, type StripeTraffic } from '../../bench/stripe-limit';

function traffic(arrivals: number[], refusedAt: number[] = []): StripeTraffic {
  const refused = new Set(refusedAt);
  return {
    limitPerSecond: 25,
    arrivals,
    accepted: arrivals.filter((t) => !refused.has(t)),
    refused: arrivals.filter((t) => refused.has(t)),
  };
}

const completed = (intendedMs: number, finishedMs: number): OrderRecord => ({
  intendedMs,
  status: 'completed',
  kind: null,
  postMs: 5,
  finishedMs,
  endToEndMs: finishedMs - intendedMs,
});

describe("the bench's view of Stripe's limit", () => {
  it('finds the most timestamps in any window [t, t + 1 s)', () => {
    assert.equal(maxInWindow([]), 0);
    assert.equal(maxInWindow([0, 999]), 2);
    assert.equal(maxInWindow([0, 1000]), 1);
    assert.equal(maxInWindow([0, 500, 1200, 1300, 1400, 2100]), 4);
  });
});

describe('flash sale figures', () => {
  it('counts per second from the first send, with the backlog of orders not yet finished', () => {
    const orders = [completed(0, 1500), completed(500, 1600), completed(1000, 2100)];
    const seconds = perSecond(orders, traffic([100, 200, 1100], [200]), 0);
    assert.deepEqual(
      seconds.map((s) => [
        s.arrivals,
        s.stripe_requests,
        s.stripe_accepted,
        s.stripe_429,
        s.completions,
        s.backlog,
      ]),
      [
        [2, 2, 1, 1, 0, 2],
        [1, 1, 1, 0, 2, 1],
        [0, 0, 0, 0, 1, 0],
      ],
    );
  });

  it('tells accepted, completed, refused and lost apart, and times the drain from the last arrival', () => {
    const orders: OrderRecord[] = [
      completed(0, 800),
      {
        intendedMs: 100,
        status: 'refused',
        kind: 'stripe_429',
        postMs: 3,
        finishedMs: 103,
        endToEndMs: null,
      },
      {
        intendedMs: 200,
        status: 'lost',
        kind: 'incomplete_no_kafka_record',
        postMs: 4,
        finishedMs: null,
        endToEndMs: null,
      },
      completed(300, 2300),
    ];
    const f = pathFigures({
      path: 'direct',
      route: 'test',
      orders,
      traffic: traffic([10, 110, 210, 310], [110]),
      startMs: 0,
      drained: true,
      drainLimitS: 60,
      resources: {},
    });
    assert.deepEqual(
      [f.sent, f.accepted, f.completed, f.failed, f.refused, f.lost_accepted, f.lost],
      [4, 3, 2, 1, 1, 1, 2],
    );
    assert.deepEqual(f.failure_kinds, { stripe_429: 1, incomplete_no_kafka_record: 1 });
    assert.deepEqual(f.stripe, {
      requests: 4,
      accepted: 3,
      rate_limited_429: 1,
      rate_limited_share: 0.25,
      max_accepted_in_any_1s: 3,
      max_arrivals_in_any_1s: 4,
    });
    assert.equal(f.arrivals_s, 0.3);
    assert.equal(f.time_to_drain_s, 2);
    assert.equal(pathFigures({ ...argsOf(orders), drained: false }).time_to_drain_s, 60);
  });

  it("reads the issue's bar for the durable path from the figures", () => {
    const orders = Array.from({ length: 200 }, (_, i) => completed(i * 25, i * 25 + 80));
    const arrivals = Array.from({ length: 202 }, (_, i) => i * 50);
    const f = pathFigures({ ...argsOf(orders), traffic: traffic(arrivals, [50, 100]) });
    const checks = durableChecks(f, 25);
    assert.deepEqual(
      checks.map((c) => [c.check, c.value, c.met]),
      [
        ['accepted', 200, true],
        ['completed', 200, true],
        ['lost', 0, true],
        ['429s / Stripe requests (%)', 0.99, true],
        ['Stripe requests accepted in any 1 s window (max)', 20, true],
        ['POST /charge p99 (ms)', 5, true],
      ],
    );
    const more429 = pathFigures({ ...argsOf(orders), traffic: traffic(arrivals, [50, 100, 150]) });
    assert.equal(durableChecks(more429, 25)[3]?.met, false);
  });

  it("classifies the durable driver's outcomes: refused POSTs, payments.failed, never finished", () => {
    assert.equal(
      durableRecord({ ok: false, eventId: 'e', error: 'post_503', postMs: 7 }, 0).status,
      'refused',
    );
    assert.equal(durableRecord({ ok: false, eventId: 'e', error: 'post_timeout' }, 0).status, 'refused');
    assert.equal(
      durableRecord({ ok: false, eventId: 'e', error: 'wrong_topic_payments.failed', postMs: 7 }, 0).status,
      'failed',
    );
    const lost = durableRecord(
      { ok: false, eventId: 'e', error: 'incomplete_no_kafka_record', postMs: 7 },
      0,
    );
    assert.deepEqual([lost.status, lost.kind, lost.finishedMs], ['lost', 'incomplete_no_kafka_record', null]);
  });
});

function argsOf(orders: OrderRecord[]) {
  return {
    path: 'durable' as const,
    route: 'test',
    orders,
    traffic: traffic([]),
    startMs: 0,
    drained: true,
    drainLimitS: 60,
    resources: {},
  };
}

describe('the flash sale storefront (--poll-storefront)', () => {
  /** A gateway that answers each charge's GETs from a script: one answer per GET, the last repeated. */
  function scriptedGateway(
    script: Record<
      string,
      Array<{ status: number; body?: Record<string, unknown>; retryAfterSeconds?: number }>
    >,
  ) {
    const asked: string[] = [];
    const http = {
      async request(method: string, url: string) {
        const eventId = url.split('/charges/')[1] ?? '';
        asked.push(`${method} ${eventId}`);
        const answers = script[eventId] ?? [{ status: 404 }];
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        return {
          status: answer?.status ?? 404,
          body: JSON.stringify(answer?.body ?? {}),
          ...(answer?.retryAfterSeconds !== undefined ? { retryAfterSeconds: answer.retryAfterSeconds } : {}),
        };
      },
    } as unknown as HttpClient;
    return { http, asked };
  }

  it('polls each charge until its client_secret shows, or until it no longer waits for the customer', async () => {
    const { http, asked } = scriptedGateway({
      shown: [
        { status: 404 },
        { status: 200, body: { status: 'pending', client_secret: null } },
        { status: 503 },
        { status: 200, body: { status: 'pending', client_secret: 'pi_1_secret_x' } },
      ],
      ended: [{ status: 200, body: { status: 'succeeded' } }],
    });
    const storefront = new Storefront(http, 'http://gateway', 1);
    assert.equal(await storefront.poll('shown'), 'secret_shown');
    assert.equal(await storefront.poll('ended'), 'ended_first');
    assert.deepEqual(asked, ['GET shown', 'GET shown', 'GET shown', 'GET shown', 'GET ended']);
    const f = storefront.figures({
      before: { stripe: 3, transitional: 0 },
      after: { stripe: 3, transitional: 0 },
    });
    assert.deepEqual(
      [f.charges_polled, f.gets, f.secret_shown, f.ended_first, f.gave_up, f.gateway_stripe_requests],
      [2, 5, 1, 1, 0, 0],
    );
    assert.deepEqual(f.answers, { '404': 1, '200': 3, '503': 1 });
  });

  it("waits the answer's Retry-After before the next GET when it is longer than the poll interval", async () => {
    const { http, asked } = scriptedGateway({
      queued: [
        { status: 200, body: { status: 'pending', client_secret: null }, retryAfterSeconds: 1 },
        { status: 200, body: { status: 'pending', client_secret: 'pi_2_secret_y' } },
      ],
    });
    const storefront = new Storefront(http, 'http://gateway', 1);
    const started = performance.now();
    assert.equal(await storefront.poll('queued'), 'secret_shown');
    assert.ok(performance.now() - started >= 990, 'the second GET came after the hinted second');
    assert.deepEqual(asked, ['GET queued', 'GET queued']);
    assert.equal(storefront.figures({ before: undefined, after: undefined }).hinted_waits, 1);
  });

  it("reads a charge only once its POST was accepted, first after the 202's Retry-After", async () => {
    const { http, asked } = scriptedGateway({
      accepted: [{ status: 200, body: { status: 'pending', client_secret: 'pi_3_secret_z' } }],
    });
    const storefront = new Storefront(http, 'http://gateway', 1);
    const started = performance.now();
    const polled = storefront.poll('accepted', Promise.resolve({ accepted: true, retryAfterSeconds: 1 }));
    assert.equal(await polled, 'secret_shown');
    assert.ok(performance.now() - started >= 990, 'the first GET came after the hinted second');
    assert.equal(await storefront.poll('refused', Promise.resolve({ accepted: false })), 'not_accepted');
    assert.deepEqual(asked, ['GET accepted'], 'nothing read for a charge never accepted');
    const f = storefront.figures({ before: undefined, after: undefined });
    assert.deepEqual([f.secret_shown, f.not_accepted, f.hinted_waits], [1, 1, 1]);
  });

  it('gives up on the charges still polled when the drain ends', async () => {
    const { http } = scriptedGateway({
      stuck: [{ status: 200, body: { status: 'pending', client_secret: null } }],
    });
    const storefront = new Storefront(http, 'http://gateway', 5);
    const polled = storefront.poll('stuck');
    storefront.expire();
    assert.equal(await polled, 'gave_up');
    assert.equal(storefront.figures({ before: undefined, after: undefined }).gateway_stripe_requests, null);
  });

  it("sums a counter's samples over its label sets from the gateway's /metrics text", () => {
    const text = [
      '# HELP payments_stripe_requests_total Stripe API calls',
      '# TYPE payments_stripe_requests_total counter',
      'payments_stripe_requests_total{operation="payment_intents.create",result="ok",error="none"} 4',
      'payments_stripe_requests_total{operation="payment_intents.retrieve",result="retryable",error="rate_limited"} 2',
      'payments_stripe_requests_total_other 100',
      'payments_transitional_charge_reads_total{outcome="read",service="payments"} 0',
    ].join('\n');
    assert.equal(counterTotal(text, 'payments_stripe_requests_total'), 6);
    assert.equal(counterTotal(text, 'payments_transitional_charge_reads_total'), 0);
    assert.equal(counterTotal('', 'payments_stripe_requests_total'), 0);
  });

  it('adds to the bar: no Stripe request by the gateway, and no poll left hanging', () => {
    const orders = Array.from({ length: 10 }, (_, i) => completed(i * 25, i * 25 + 80));
    const f = pathFigures({ ...argsOf(orders), traffic: traffic([0, 10, 20]) });
    const storefront = (gateway: number, gaveUp: number) => ({
      poll_interval_ms: 500,
      charges_polled: 10,
      gets: 30,
      answers: { '200': 30 },
      secret_shown: 10 - gaveUp,
      ended_first: 0,
      gave_up: gaveUp,
      not_accepted: 0,
      hinted_waits: 0,
      gets_per_charge_mean: 3,
      gateway_stripe_requests: gateway,
      gateway_transitional_reads: 0,
    });
    const extra = (checks: ReturnType<typeof durableChecks>) => checks.slice(6).map((c) => [c.value, c.met]);
    assert.deepEqual(extra(durableChecks(f, 25, storefront(0, 0))), [
      [0, true],
      [0, true],
    ]);
    assert.deepEqual(extra(durableChecks(f, 25, storefront(2, 1))), [
      [2, false],
      [1, false],
    ]);
    assert.equal(durableChecks(f, 25).length, 6, 'without a storefront, the bar as before');
  });
});
