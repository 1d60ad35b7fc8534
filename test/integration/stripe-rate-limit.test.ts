/**
 * Every Stripe call from every worker goes through one rate-limited task queue: a burst of charges
 * is accepted at once, and reaches Stripe at STRIPE_MAX_REQUESTS_PER_SECOND. Temporal's dispatcher is
 * a token bucket of about two seconds' worth that starts full and refills whenever the queue hands
 * out less than its rate, so it may hand out about twice the rate at once; the worker paces its own
 * Stripe requests 1/rate s apart (src/stripe/pacer.ts), so one worker never sends more than the rate
 * in any second (README, Flash sales). Several workers: stripe-rate-limit-fleet.test.ts.
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
    // When each request reached the stand-in (its recorder's clock, ms), in order of arrival.
    const seenAt = await waitUntil(
      async () => {
        const { data } = await standin.control.requests({
          after: since,
          method: 'POST',
          path: '/v1/payment_intents',
        });
        return data.length >= CHARGES ? data.map((r) => Date.parse(r.at)).sort((a, b) => a - b) : undefined;
      },
      'every PaymentIntent created',
      60_000,
    );
    assert.equal(
      (await standin.control.requests({ after: since })).data.filter((r) => r.refused_by !== null).length,
      0,
    );

    // Paced 1/RATE s apart: in any window of T seconds at most RATE·T requests (1 more for the
    // network's jitter between the worker and the stand-in). Temporal's full bucket alone lets about
    // 2·RATE through in the first second; without any limit all 40 arrive within it.
    const first = seenAt[0] ?? 0;
    for (const seconds of [1, 2, 4]) {
      const inWindow = (start: number) =>
        seenAt.filter((t) => t >= start && t < start + seconds * 1000).length;
      const busiest = Math.max(...seenAt.map(inWindow));
      const bound = RATE * seconds + 1;
      assert.ok(
        busiest <= bound,
        `at most ${bound} in any ${seconds} s, saw ${busiest}: ${timeline(seenAt)}`,
      );
    }
    const spanSeconds = ((seenAt.at(-1) ?? first) - first) / 1000;
    assert.ok(spanSeconds >= (CHARGES - 1) / RATE - 1, `spread over ${spanSeconds} s`);
  });
});

/** Arrival times in ms after the first, for a failure message. */
const timeline = (times: readonly number[]) => times.map((t) => t - (times[0] ?? 0)).join(' ');
