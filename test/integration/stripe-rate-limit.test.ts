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
import { startTestStandin, type TestStandin } from '../support/stripe-standin';
import { waitUntil } from '../support/wait';

const RATE = 5;
const CHARGES = 40;

describe('the Stripe rate limit', { timeout: 120_000 }, () => {
  let standin: TestStandin;
  let service: TestService;
  before(async () => {
    // The stand-in's own limit (Stripe's 25/s) is above the service's: nothing is refused.
    standin = await startTestStandin({}, { stripeMock: true });
    service = await startTestService({
      STRIPE_API_BASE: standin.url,
      STRIPE_MAX_REQUESTS_PER_SECOND: String(RATE),
    });
  });
  after(async () => {
    await service?.stop();
    await standin?.close();
  });

  it(`accepts ${CHARGES} charges at once and calls Stripe at ${RATE}/s, not in a burst`, async () => {
    const { last_seq: since } = await standin.control.requests({ after: Number.MAX_SAFE_INTEGER });
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
    // When each request reached the stand-in (its recorder's clock, ms).
    const seenAt = await waitUntil(
      async () => {
        const { data } = await standin.control.requests({
          after: since,
          method: 'POST',
          path: '/v1/payment_intents',
        });
        return data.length >= CHARGES ? data.map((r) => Date.parse(r.at)) : undefined;
      },
      'every PaymentIntent created',
      60_000,
    );
    assert.equal(
      (await standin.control.requests({ after: since })).data.filter((r) => r.refused_by !== null).length,
      0,
    );

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
