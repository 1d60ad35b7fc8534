/**
 * The poll hint on the real stack: while charges queue behind Stripe's rate limit, a storefront reading
 * one of the last is told by Retry-After to come back in seconds, from the Stripe task queue's backlog
 * as the Temporal server counts it (its task-queue statistics, which appear and refresh a few seconds
 * late); once the charge has its PaymentIntent, no hint.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { AUTH_HEADER } from '../support/service';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const RATE = 2;
const CHARGES = 40;

describe('the poll hint (real stack)', { timeout: 120_000 }, () => {
  const suite = standinServiceForSuite({ env: { STRIPE_MAX_REQUESTS_PER_SECOND: String(RATE) } });

  const read = async (eventId: string) => {
    const res = await fetch(`${suite.service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
    const body = (await res.json()) as { payment_intent_id: string | null };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  };

  it("tells a storefront reading a charge queued behind the others when to read again, from the Stripe queue's backlog", async () => {
    const eventIds = Array.from({ length: CHARGES }, () => `evt-hint-${randomUUID()}`);
    const answers = await Promise.all(
      eventIds.map((eventId) =>
        fetch(`${suite.service.url}/charge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH_HEADER },
          body: JSON.stringify({ event_id: eventId, order_id: 'order-hint', amount: 1999, currency: 'usd' }),
        }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => [a.status, a.headers.get('retry-after') !== null]),
      answers.map(() => [202, true]),
      'every 202 carries a hint',
    );

    // About 36 calls wait behind the bucket's first burst at 2/s: 18 s to drain, a hint of about 9.
    const last = eventIds.at(-1) ?? '';
    const hinted = await waitUntil(
      async () => {
        const answer = await read(last);
        assert.equal(answer.body.payment_intent_id, null, 'the PaymentIntent came before any hint');
        return Number(answer.retryAfter) >= 2 ? answer : undefined;
      },
      'a Retry-After of 2 s or more while the charge waits its turn',
      15_000,
      250,
    );
    assert.equal(hinted.status, 200);
    assert.ok(
      Number(hinted.retryAfter) <= CHARGES / RATE / 2 + 1,
      `hint ${hinted.retryAfter} s: at most half the whole queue's time`,
    );

    const paid = await waitUntil(
      async () => {
        const answer = await read(last);
        return answer.body.payment_intent_id !== null ? answer : undefined;
      },
      'its PaymentIntent',
      60_000,
      250,
    );
    assert.equal(paid.retryAfter, null, 'no hint once the PaymentIntent exists');
  });
});
