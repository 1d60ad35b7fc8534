/**
 * Temporal unreachable: the gateway and the webhook receiver answer 503 with Retry-After (nothing
 * accepted that is not durable), /readyz names temporal, and all recover by themselves.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { startStackPart, stopStackPart } from '../support/stack-control';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { waitUntil } from '../support/wait';

describe('a Temporal outage', { timeout: 240_000 }, () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ PAYMENTS_MODE: 'all' });
  });
  after(() => service?.stop());

  const postCharge = (eventId: string) =>
    fetch(`${service.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify({ event_id: eventId, order_id: `order-${eventId}`, amount: 100, currency: 'usd' }),
    });

  it('answers 503 with Retry-After while Temporal is down, and accepts again once it is back', async () => {
    const eventId = `evt-outage-${randomUUID()}`;
    await stopStackPart('temporal');
    try {
      const started = Date.now();
      const res = await postCharge(eventId);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.ok(Date.now() - started < 15_000, 'the caller is told promptly');

      const body = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId });
      const hook = await fetch(`${service.url}/stripe/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(body, TEST_WEBHOOK_SECRET),
        },
        body,
      });
      assert.equal(hook.status, 503, 'Stripe will retry the webhook');

      const ready = await fetch(`${service.url}/readyz`);
      assert.equal(ready.status, 503);
      const readiness = (await ready.json()) as { failing: string[] };
      assert.ok(readiness.failing.includes('temporal'), `failing: ${readiness.failing.join(',')}`);
    } finally {
      await startStackPart('temporal');
    }
    await waitUntil(async () => (await fetch(`${service.url}/readyz`)).status === 200, 'ready again', 60_000);
    const retried = await waitUntil(
      async () => {
        const res = await postCharge(eventId);
        return res.status === 202 ? res : undefined;
      },
      'the retried charge to be accepted',
      60_000,
    );
    assert.equal(retried.status, 202);
  });
});
