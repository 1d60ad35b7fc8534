/**
 * Every Stripe call from every worker goes through one rate-limited task queue: a burst of charges
 * is accepted at once, and reaches Stripe at STRIPE_MAX_REQUESTS_PER_SECOND. Temporal's dispatcher is
 * a token bucket that starts full: a queue that was idle may dispatch up to twice the rate in its
 * first second, then never more than the rate (README, Flash sales).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AUTH_HEADER, startTestService, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';
import { waitUntil } from '../support/wait';

const RATE = 5;
const CHARGES = 40;

describe('the Stripe rate limit', { timeout: 120_000 }, () => {
  let proxy: StripeRecordingProxy;
  let service: TestService;
  const seenAt: number[] = [];
  before(async () => {
    proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
    const record = proxy.requests.push.bind(proxy.requests);
    proxy.requests.push = (...requests) => {
      for (const _ of requests) seenAt.push(Date.now());
      return record(...requests);
    };
    service = await startTestService({
      STRIPE_API_BASE: proxy.url,
      STRIPE_MAX_REQUESTS_PER_SECOND: String(RATE),
    });
  });
  after(async () => {
    await service?.stop();
    await proxy?.close();
  });

  it(`accepts ${CHARGES} charges at once and calls Stripe at ${RATE}/s, not in a burst`, async () => {
    const answers = await Promise.all(
      Array.from({ length: CHARGES }, () =>
        fetch(`${service.url}/charge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH_HEADER },
          body: JSON.stringify({
            event_id: `evt-rate-${randomUUID()}`,
            order_id: 'order-rate',
            amount: 1999,
            currency: 'usd',
          }),
        }),
      ),
    );
    assert.ok(
      answers.every((a) => a.status === 202),
      'every charge accepted without waiting for Stripe',
    );
    await waitUntil(async () => seenAt.length >= CHARGES || undefined, 'every PaymentIntent created', 60_000);

    const first = seenAt[0] ?? 0;
    const inWindow = (start: number) => seenAt.filter((t) => t >= start && t < start + 1000).length;
    // Without the limit all 40 would reach Stripe in the first second.
    assert.ok(inWindow(first) <= 3 * RATE, `first second: ${inWindow(first)} requests`);
    const busiest = Math.max(...seenAt.filter((t) => t >= first + 1000).map(inWindow));
    assert.ok(
      busiest <= RATE + 1,
      `after the first second at most ${RATE} (+1 at a window's edge) a second, saw ${busiest}`,
    );
    const spanSeconds = ((seenAt.at(-1) ?? first) - first) / 1000;
    assert.ok(spanSeconds >= (CHARGES - 2 * RATE) / RATE - 1, `spread over ${spanSeconds} s`);
  });
});
