/**
 * The poll hint on the real stack: while charges queue behind Stripe's rate limit, a storefront reading
 * a charge still waiting its turn is told by Retry-After to come back in seconds, from the Stripe task queue's backlog
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
const CHARGES = 60;

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

    // About 56 calls wait behind the bucket's first burst at 2/s: 28 s to drain. Which charge's create
    // runs when is Temporal's choice, and its statistics come a few seconds late: read the charges still
    // without a PaymentIntent until one answers with a hint of 2 s or more.
    const waiting = new Set(eventIds);
    const hinted = await waitUntil(
      async () => {
        for (const eventId of [...waiting].slice(0, 5)) {
          const answer = await read(eventId);
          if (answer.body.payment_intent_id !== null) waiting.delete(eventId);
          else if (Number(answer.retryAfter) >= 2) return { ...answer, eventId };
        }
        return undefined;
      },
      'a Retry-After of 2 s or more for a charge waiting its turn',
      20_000,
      250,
    );
    assert.equal(hinted.status, 200);
    assert.ok(
      Number(hinted.retryAfter) <= CHARGES / RATE / 2 + 1,
      `hint ${hinted.retryAfter} s: at most half the whole queue's time`,
    );

    const paid = await waitUntil(
      async () => {
        const answer = await read(hinted.eventId);
        return answer.body.payment_intent_id !== null ? answer : undefined;
      },
      'its PaymentIntent',
      60_000,
      250,
    );
    assert.equal(paid.retryAfter, null, 'no hint once the PaymentIntent exists');
  });
});
