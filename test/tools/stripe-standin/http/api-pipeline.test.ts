/**
 * What happens to every API request, in Stripe's order: the rate limit, the idempotency key,
 * injected faults, the shape check by stripe-mock, then the endpoint. All of it recorded.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { STANDIN_TEST_KEY, startTestStandin, type TestStandin } from '../../../support/stripe-standin';
import { fakeLiveKey } from '../../../support/fake-keys';
import { waitUntil } from '../../../support/wait';

describe('stripe-standin: the API pipeline', { timeout: 60_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null });
  });
  after(() => standin.close());

  /** A raw form POST, to see the headers and bodies Stripe's SDK hides. */
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${standin.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${STANDIN_TEST_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  /** The next PaymentIntent create runs, but is answered `delayMs` late (a slow Stripe). */
  const slowCreates = (delayMs: number) =>
    standin.control.injectFault({
      method: 'POST',
      path: '/v1/payment_intents',
      mode: 'slow',
      delay_ms: delayMs,
    });
  const piForm = (eventId: string, amount = '1500') => ({
    amount,
    currency: 'usd',
    'metadata[event_id]': eventId,
  });

  it('replays the first answer to a repeated key, marked Idempotent-Replayed, and makes one PaymentIntent', async () => {
    const eventId = `evt-idem-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    const first = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    const again = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await again.json()) as { id: string }).id, ((await first.json()) as { id: string }).id);
    assert.equal((await standin.control.paymentIntentsFor(eventId)).length, 1);
  });

  it('answers an idempotency_error when a key is reused with other parameters', async () => {
    const key = `key-${randomUUID()}`;
    await standin.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }, { idempotencyKey: key });
    await assert.rejects(
      standin.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' }, { idempotencyKey: key }),
      (err: unknown) => err instanceof Stripe.errors.StripeIdempotencyError && err.statusCode === 400,
    );
  });

  it('answers 409 to a second request under a key whose first is still running', async () => {
    await slowCreates(1500);
    const key = `key-${randomUUID()}`;
    const form = piForm(`evt-409-${randomUUID()}`);
    const slow = post('/v1/payment_intents', form, { 'idempotency-key': key });
    // Sent only once the first is running at the stand-in: two connections do not keep their order.
    await waitUntil(
      async () => (await standin.control.inFlight({ method: 'POST', path: '/v1/payment_intents' })) === 1,
      'the first create running',
    );
    const second = await post('/v1/payment_intents', form, { 'idempotency-key': key });
    assert.equal(second.status, 409);
    const during = await standin.control.requests({ method: 'POST', path: '/v1/payment_intents' });
    assert.equal(during.in_flight, 1, 'the slow create is counted in flight');
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'idempotency_key_in_use');
    assert.equal((await slow).status, 200);
    const after = await standin.control.requests({ method: 'POST', path: '/v1/payment_intents' });
    assert.equal(after.in_flight, 0, 'answered: no longer in flight');
  });

  it('answers 429 above the rate limit with Stripe’s body and no Retry-After, and counts it', async () => {
    await standin.control.configure({ rate_limit_per_second: 1 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(`${standin.url}/v1/payment_intents/pi_ratelimited`, {
            headers: { authorization: `Bearer ${STANDIN_TEST_KEY}` },
          }),
        ),
      );
      const refused = answers.filter((a) => a.status === 429);
      assert.ok(refused.length >= 1, `statuses: ${answers.map((a) => a.status).join(' ')}`);
      assert.equal(refused[0]?.headers.get('retry-after'), null);
      assert.equal(refused[0]?.headers.get('stripe-should-retry'), null);
      const body = (await refused[0]?.json()) as { error: { type: string; code: string } };
      assert.deepEqual([body.error.type, body.error.code], ['invalid_request_error', 'rate_limit']);
      const recorded = await standin.control.requests({ path: '/v1/payment_intents/pi_ratelimited' });
      assert.equal(recorded.data.filter((r) => r.refused_by === 'rate_limit').length, refused.length);
    } finally {
      await standin.control.configure({ rate_limit_per_second: null });
    }
  });

  it('sends each request to stripe-mock first, passes on its refusal, and keeps nothing under the key', async () => {
    const key = `key-${randomUUID()}`;
    const sentBefore = standin.upstream?.seen.length ?? 0;
    standin.upstream?.refuseNext(
      '/v1/payment_intents',
      400,
      'Request validation error: amount is not numeric',
    );
    const bad = await post(
      '/v1/payment_intents',
      { amount: '700', currency: 'usd' },
      { 'idempotency-key': key },
    );
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /validation error/);
    const good = await post(
      '/v1/payment_intents',
      { amount: '700', currency: 'usd' },
      { 'idempotency-key': key },
    );
    assert.equal(good.status, 200);
    assert.deepEqual(standin.upstream?.seen.slice(sentBefore), [
      'POST /v1/payment_intents',
      'POST /v1/payment_intents',
    ]);
  });

  it('refuses a live-mode key: it is a test tool', async () => {
    const answer = await fetch(`${standin.url}/v1/payment_intents/pi_x`, {
      headers: { authorization: `Bearer ${fakeLiveKey()}` },
    });
    assert.equal(answer.status, 401);
  });

  it('a fault before the endpoint keeps nothing: the retry under the same key creates the one PaymentIntent', async () => {
    const eventId = `evt-fault-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    await standin.control.injectFault({ path: '/v1/payment_intents', status: 500, mode: 'before' });
    const failed = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    assert.equal(failed.status, 500);
    assert.equal(failed.headers.get('stripe-should-retry'), 'true');
    assert.equal((await standin.control.paymentIntentsFor(eventId)).length, 0);
    assert.equal(
      (await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key })).status,
      200,
    );
    assert.equal((await standin.control.paymentIntentsFor(eventId)).length, 1);
  });

  it('while Stripe is down even a kept answer is not replayed: the outage comes before the key', async () => {
    const eventId = `evt-down-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    assert.equal(
      (await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key })).status,
      200,
    );
    await standin.control.injectFault({ path: '/v1/payment_intents', status: 503, mode: 'before' });
    const during = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    assert.equal(during.status, 503);
    const afterwards = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    assert.equal(afterwards.headers.get('idempotent-replayed'), 'true');
  });

  it('a lost answer ran anyway: the retry under the same key is answered with what was kept', async () => {
    const eventId = `evt-lost-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    await standin.control.injectFault({ path: '/v1/payment_intents', status: 502, mode: 'lose_response' });
    assert.equal(
      (await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key })).status,
      502,
    );
    const [created] = await standin.control.paymentIntentsFor(eventId);
    const retry = await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key });
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await retry.json()) as { id: string }).id, created?.id);
  });

  it('a held request runs only once the test releases it', async () => {
    const eventId = `evt-held-${randomUUID()}`;
    await standin.control.injectFault({ method: 'POST', path: '/v1/payment_intents', mode: 'hold' });
    const answered = post('/v1/payment_intents', piForm(eventId));
    await waitUntil(
      async () => (await standin.control.inFlight({ method: 'POST', path: '/v1/payment_intents' })) === 1,
      'the create to be held',
    );
    assert.equal((await standin.control.paymentIntentsFor(eventId)).length, 0, 'not run while held');
    assert.deepEqual(await standin.control.releaseHeld(), { released: 1 });
    assert.equal((await answered).status, 200);
    assert.equal((await standin.control.paymentIntentsFor(eventId)).length, 1);
  });

  it('a patched answer changes what the client hears, not the state or what the key replays', async () => {
    const eventId = `evt-patched-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    await standin.control.injectFault({
      method: 'POST',
      path: '/^\\/v1\\/payment_intents$/',
      mode: 'patch',
      patch: { amount: 1, client_secret: null, metadata: { note: 'patched' } },
    });
    const heard = (await (
      await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key })
    ).json()) as { amount: number; client_secret?: string; metadata: Record<string, string> };
    assert.equal(heard.amount, 1);
    assert.equal('client_secret' in heard, false, 'null removes a member');
    assert.deepEqual(heard.metadata, { event_id: eventId, note: 'patched' }, 'objects merge');
    const [kept] = await standin.control.paymentIntentsFor(eventId);
    assert.equal(kept?.amount, 1500);
    const replayed = (await (
      await post('/v1/payment_intents', piForm(eventId), { 'idempotency-key': key })
    ).json()) as { amount: number; client_secret?: string };
    assert.equal(replayed.amount, 1500);
    assert.match(replayed.client_secret ?? '', /_secret_/);
  });

  it('refuses a patch fault without an object to merge, and an unknown mode', async () => {
    await assert.rejects(
      standin.control.injectFault({ path: '/v1/payment_intents', mode: 'patch' }),
      /patch: mode patch needs a JSON object/,
    );
    await assert.rejects(
      standin.control.injectFault({ path: '/v1/payment_intents', mode: 'sideways' as 'slow' }),
      /mode: must be one of before, lose_response, slow, hold, patch/,
    );
  });

  it('marks the upstream’s answer as not emulated where the stand-in keeps no state', async () => {
    const answer = await fetch(`${standin.url}/v1/customers/cus_fixture`, {
      headers: { authorization: `Bearer ${STANDIN_TEST_KEY}` },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('stripe-standin-emulated'), 'false');
  });

  it('records each request with its key, parameters and answer', async () => {
    const eventId = `evt-rec-${randomUUID()}`;
    const key = `key-${randomUUID()}`;
    await post('/v1/payment_intents', piForm(eventId, '1234'), { 'idempotency-key': key });
    const { data } = await standin.control.requests({ event_id: eventId });
    assert.equal(data.length, 1);
    assert.deepEqual(
      [data[0]?.method, data[0]?.path, data[0]?.idempotency_key, data[0]?.params['amount'], data[0]?.status],
      ['POST', '/v1/payment_intents', key, '1234', 200],
    );
  });

  it('records when a request arrived, not when it was answered', async () => {
    await slowCreates(800);
    const eventId = `evt-arrived-${randomUUID()}`;
    const sentAt = Date.now();
    await post('/v1/payment_intents', piForm(eventId));
    const { data } = await standin.control.requests({ event_id: eventId });
    const arrivedAfterMs = Date.parse(data[0]?.at ?? '') - sentAt;
    assert.ok(arrivedAfterMs < 500, `recorded ${arrivedAfterMs} ms after it was sent, answered 800 ms later`);
  });
});
