/**
 * What the storefront needs to finish a charge, over a fake Temporal whose workflows answer as
 * ChargeWorkflow does (the client_secret and next_action in the record while the charge awaits the
 * customer): POST /charge with `Prefer: wait=N` answers early (201, or 200 for a repeat) with the
 * charge as GET shows it, its client_secret and next_action included, and `Preference-Applied`;
 * otherwise the plain 202/200. GET carries client_secret and next_action exactly while the charge waits
 * for the customer, from the workflow's answer alone; only a charge started before the workflow kept
 * the secret asks the workflow to read it (loadClientSecret). return_url is taken only with a payment
 * method, and only https.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_PREFER_WAIT_SECONDS, preferredWaitSeconds } from '../../src/api/charges/prefer';
import { awaitsCustomer, CHARGE_STATUSES, type ChargeStatus } from '../../src/contracts/charge';
import { FakeChargeWorkflows } from '../support/fake-charge-workflows';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
type Json = Record<string, unknown>;

function newCharge(overrides: Json = {}): Json {
  const id = randomUUID();
  return {
    event_id: `evt-co-${id}`,
    order_id: `order-co-${id}`,
    amount: 1999,
    currency: 'usd',
    ...overrides,
  };
}

/** The PaymentIntent the fake reports for a charge, so it is "there" when the gateway waits for it. */
function withPaymentIntent(t: TestApp, charge: Json): string {
  const pi = `pi_${randomUUID().replace(/-/g, '')}`;
  t.charges.paymentIntents.set(String(charge['event_id']), pi);
  return pi;
}

describe('the Prefer header (RFC 7240): wait=N', () => {
  for (const [header, expected] of [
    [undefined, undefined],
    ['', undefined],
    ['wait=5', 5],
    ['WAIT = 3', 3],
    ['wait="4"', 4],
    ['respond-async, wait=2', 2],
    ['wait=6; foo=bar', 6],
    ['wait=7, wait=1', 7],
    ['wait=0', undefined],
    ['wait=30', MAX_PREFER_WAIT_SECONDS],
    ['wait=abc', undefined],
    ['wait=-1', undefined],
    ['wait=2.5', undefined],
    ['waiting=3', undefined],
    ['return=minimal', undefined],
  ] as const) {
    it(`${JSON.stringify(header)} → ${String(expected)}`, () => {
      assert.equal(preferredWaitSeconds(header), expected);
    });
  }
  it('reads repeated Prefer headers in order (the first wait counts)', () => {
    assert.equal(preferredWaitSeconds(['respond-async', 'wait=3', 'wait=9']), 3);
  });
});

describe('POST /charge with Prefer: wait=N (the early answer)', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const post = (body: Json, prefer?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/charge',
      payload: body,
      headers: { ...auth, ...(prefer === undefined ? {} : { prefer }) },
    });

  it('without Prefer: the fast 202 as before, no wait', async () => {
    const charge = newCharge();
    withPaymentIntent(t, charge);
    const before = { ...t.charges.earlyCalls };
    const res = await post(charge);
    assert.equal(res.statusCode, 202);
    assert.equal(res.headers['preference-applied'], undefined);
    const json = res.json<Json>();
    assert.equal('client_secret' in json, false);
    assert.deepEqual({ ...t.charges.earlyCalls }, before, 'no update-with-start');
  });

  it('answers 201 with the charge as GET shows it, plus workflow_id, run_id, status_url, duplicate, and Preference-Applied', async () => {
    const charge = newCharge();
    const pi = withPaymentIntent(t, charge);
    const res = await post(charge, 'wait=5');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['preference-applied'], 'wait=5');
    assert.equal(t.charges.waits.at(-1), 5000, 'waited up to the preferred 5 s');
    const eventId = String(charge['event_id']);
    assert.equal(res.headers['location'], `/charges/${eventId}`);
    const json = res.json<Json>();
    const get = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
    assert.deepEqual(
      { ...json },
      {
        ...get.json<Json>(),
        workflow_id: `charge-${eventId}`,
        run_id: json['run_id'],
        status_url: `/charges/${eventId}`,
        duplicate: false,
      },
    );
    assert.equal(json['status'], 'pending');
    assert.equal(json['payment_intent_id'], pi);
    assert.equal(json['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.equal(json['next_action'], null);
    assert.match(String(json['run_id']), /^run-/);
  });

  it(`cuts a longer wait to ${MAX_PREFER_WAIT_SECONDS} s and says so`, async () => {
    const charge = newCharge();
    withPaymentIntent(t, charge);
    const res = await post(charge, 'wait=60');
    assert.equal(res.statusCode, 201);
    assert.equal(t.charges.waits.at(-1), MAX_PREFER_WAIT_SECONDS * 1000);
    assert.equal(res.headers['preference-applied'], `wait=${MAX_PREFER_WAIT_SECONDS}`);
  });

  it('ignores a Prefer it does not understand: the plain 202', async () => {
    const before = t.charges.earlyCalls.startWithEarlyAnswer;
    for (const prefer of ['return=minimal', 'wait=soon', 'wait=0']) {
      const res = await post(newCharge(), prefer);
      assert.equal(res.statusCode, 202, prefer);
      assert.equal(res.headers['preference-applied'], undefined);
    }
    assert.equal(t.charges.earlyCalls.startWithEarlyAnswer, before);
  });

  it('answers the usual 202 when the PaymentIntent is not there in time (the charge is started)', async () => {
    t.charges.earlyAnswer = 'late';
    try {
      const charge = newCharge();
      const res = await post(charge, 'wait=2');
      assert.equal(res.statusCode, 202);
      assert.equal(res.headers['preference-applied'], undefined);
      assert.deepEqual(Object.keys(res.json<Json>()).sort(), [
        'duplicate',
        'event_id',
        'run_id',
        'status',
        'status_url',
        'workflow_id',
      ]);
      assert.equal(t.charges.started.at(-1)?.request.event_id, charge['event_id']);
    } finally {
      t.charges.earlyAnswer = 'ready';
    }
  });

  it('answers 201 with the secret from the early answer itself: no client_secret read', async () => {
    const charge = newCharge();
    const pi = withPaymentIntent(t, charge);
    const loads = t.charges.secretLoads.length;
    const res = await post(charge, 'wait=5');
    assert.equal(res.statusCode, 201);
    assert.equal(res.json<Json>()['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.equal(t.charges.secretLoads.length, loads);
  });

  it('a repeat of a charge started before the workflow kept the secret: read once through the workflow, then 200', async () => {
    const charge = newCharge();
    const pi = withPaymentIntent(t, charge);
    assert.equal((await post(charge)).statusCode, 202);
    t.charges.startedBeforeSecretKept.add(String(charge['event_id']));
    const repeat = await post(charge, 'wait=5');
    assert.equal(repeat.statusCode, 200);
    assert.equal(repeat.json<Json>()['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.deepEqual(t.charges.secretLoads.slice(-1), [charge['event_id']]);
  });

  it('answers the usual 202 when the transitional read of the client_secret does not finish in time', async () => {
    const charge = newCharge();
    withPaymentIntent(t, charge);
    assert.equal((await post(charge)).statusCode, 202);
    t.charges.startedBeforeSecretKept.add(String(charge['event_id']));
    t.charges.secretRead = 'late';
    try {
      const res = await post(charge, 'wait=5');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json<Json>()['duplicate'], true);
      assert.equal(res.headers['preference-applied'], undefined);
      assert.equal('client_secret' in res.json<Json>(), false);
    } finally {
      t.charges.secretRead = 'ok';
    }
  });

  it('answers 201 with a charge that ended before any PaymentIntent: its failure, no client_secret', async () => {
    const charge = newCharge();
    t.charges.statuses.set(String(charge['event_id']), 'failed');
    const res = await post(charge, 'wait=5');
    assert.equal(res.statusCode, 201);
    const json = res.json<Json>();
    assert.equal(json['status'], 'failed');
    assert.equal('client_secret' in json, false);
    assert.equal('next_action' in json, false);
  });

  it('answers a repeat with Prefer 200 the same way (duplicate=true), and a repeat without it the plain 200', async () => {
    const charge = newCharge();
    const pi = withPaymentIntent(t, charge);
    assert.equal((await post(charge)).statusCode, 202);
    const starts = t.charges.calls.start;

    const repeat = await post(charge, 'wait=4');
    assert.equal(repeat.statusCode, 200);
    assert.equal(repeat.headers['preference-applied'], 'wait=4');
    const json = repeat.json<Json>();
    assert.equal(json['duplicate'], true);
    assert.equal(json['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.equal(json['order_id'], charge['order_id']);
    assert.ok((t.charges.waits.at(-1) ?? 0) <= 4000, 'the repeat waits at most what is left');

    const plain = await post(charge);
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['preference-applied'], undefined);
    assert.equal('client_secret' in plain.json<Json>(), false);
    assert.equal(t.charges.calls.start, starts, 'no second start');
  });

  it('answers a repeat whose PaymentIntent does not come in time with the plain 200', async () => {
    const charge = newCharge();
    assert.equal((await post(charge)).statusCode, 202);
    t.charges.earlyAnswer = 'late';
    try {
      const repeat = await post(charge, 'wait=1');
      assert.equal(repeat.statusCode, 200);
      assert.equal(repeat.headers['preference-applied'], undefined);
      assert.equal(repeat.json<Json>()['duplicate'], true);
    } finally {
      t.charges.earlyAnswer = 'ready';
    }
  });

  it('still answers 409 to a repeat with another payload, Prefer or not', async () => {
    const charge = newCharge();
    withPaymentIntent(t, charge);
    await post(charge, 'wait=5');
    const res = await post({ ...charge, amount: 2999 }, 'wait=5');
    assert.equal(res.statusCode, 409);
  });
});

describe('GET /charges/:event_id: client_secret and next_action while the charge waits for the customer', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const started = async (status: ChargeStatus, paymentIntent = true) => {
    const charge = newCharge();
    const res = await t.app.inject({ method: 'POST', url: '/charge', payload: charge, headers: auth });
    assert.equal(res.statusCode, 202);
    const eventId = String(charge['event_id']);
    t.charges.statuses.set(eventId, status);
    const pi = paymentIntent ? withPaymentIntent(t, charge) : undefined;
    return { eventId, pi };
  };
  const get = async (eventId: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Json>();
  };

  it("pending: the client_secret and a null next_action, from the workflow's answer alone", async () => {
    const { eventId, pi = '' } = await started('pending');
    const loads = t.charges.secretLoads.length;
    const json = await get(eventId);
    assert.equal(json['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.equal(json['next_action'], null);
    assert.equal(t.charges.secretLoads.length, loads, 'no read: the workflow holds it');
  });

  it('requires_payment_method (a declined browser card): the same client_secret, for another card', async () => {
    const { eventId, pi = '' } = await started('requires_payment_method');
    assert.equal((await get(eventId))['client_secret'], FakeChargeWorkflows.secretOf(pi));
  });

  it("requires_action: Stripe's next_action as Stripe returns it", async () => {
    const { eventId, pi = '' } = await started('requires_action');
    const nextAction = {
      type: 'redirect_to_url',
      redirect_to_url: { url: 'https://hooks.stripe.com/3d_secure_2/hosted?x=1', return_url: null },
      some_future_field: { nested: [1, 'two', { three: true }] },
    };
    t.charges.nextActions.set(eventId, nextAction);
    const json = await get(eventId);
    assert.deepEqual(json['next_action'], nextAction);
    assert.equal(json['client_secret'], FakeChargeWorkflows.secretOf(pi));
  });

  it('pending before the PaymentIntent exists: both null, nothing read', async () => {
    const { eventId } = await started('pending', false);
    const loads = t.charges.secretLoads.length;
    const json = await get(eventId);
    assert.equal(json['client_secret'], null);
    assert.equal(json['next_action'], null);
    assert.equal(t.charges.secretLoads.length, loads);
  });

  for (const status of CHARGE_STATUSES.filter((s) => !awaitsCustomer(s))) {
    it(`${status}: neither client_secret nor next_action, nothing read`, async () => {
      const { eventId } = await started(status);
      const loads = t.charges.secretLoads.length;
      const json = await get(eventId);
      assert.equal('client_secret' in json, false);
      assert.equal('next_action' in json, false);
      assert.equal(t.charges.secretLoads.length, loads);
    });
  }

  it('a charge started before the workflow kept the secret: the workflow reads it once (loadClientSecret), counted; then queries answer', async () => {
    const { eventId, pi = '' } = await started('pending');
    t.charges.startedBeforeSecretKept.add(eventId);
    const json = await get(eventId);
    assert.equal(json['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.deepEqual(t.charges.secretLoads.slice(-1), [eventId]);
    const loads = t.charges.secretLoads.length;
    assert.equal((await get(eventId))['client_secret'], FakeChargeWorkflows.secretOf(pi));
    assert.equal(t.charges.secretLoads.length, loads, 'held from then on');
    const metrics = await t.metrics.registry.getSingleMetricAsString(
      'payments_transitional_charge_reads_total',
    );
    assert.match(metrics, /payments_transitional_charge_reads_total\{outcome="read"[^}]*\} 1/);
  });

  it('answers 503 with Retry-After while that read has not finished (it goes on in the workflow)', async () => {
    const { eventId } = await started('requires_action');
    t.charges.startedBeforeSecretKept.add(eventId);
    t.charges.secretRead = 'late';
    try {
      const res = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json<Json>()['error'], 'payment_provider_unavailable');
      assert.equal(res.headers['retry-after'], '1');
      assert.doesNotMatch(res.body, /_secret_/);
    } finally {
      t.charges.secretRead = 'ok';
    }
    const metrics = await t.metrics.registry.getSingleMetricAsString(
      'payments_transitional_charge_reads_total',
    );
    assert.match(metrics, /payments_transitional_charge_reads_total\{outcome="not_yet"[^}]*\} 1/);
  });

  it('answers 503 with Retry-After when a worker of older code refuses the read (mid-rollout: roll workers first)', async () => {
    const { eventId } = await started('pending');
    t.charges.startedBeforeSecretKept.add(eventId);
    t.charges.secretRead = 'refused';
    try {
      const res = await t.app.inject({ method: 'GET', url: `/charges/${eventId}`, headers: auth });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json<Json>()['error'], 'payment_provider_unavailable');
      assert.ok(Number(res.headers['retry-after']) >= 1);
    } finally {
      t.charges.secretRead = 'ok';
    }
  });
});

describe('POST /charge: return_url', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const post = (body: Json) => t.app.inject({ method: 'POST', url: '/charge', payload: body, headers: auth });

  it('takes an https return_url with a payment_method and hands it to the charge', async () => {
    const charge = newCharge({
      payment_method: 'pm_1CardVisa',
      return_url: 'https://shop.example/checkout/complete?order=1',
    });
    const res = await post(charge);
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(t.charges.started.at(-1)?.request.return_url, charge['return_url']);
  });

  for (const [what, body, reason] of [
    [
      'without a payment_method',
      { return_url: 'https://shop.example/done' },
      'is used only with payment_method (the storefront passes its own to Stripe.js)',
    ],
    [
      'over http',
      { payment_method: 'pm_1CardVisa', return_url: 'http://shop.example/done' },
      'must match pattern "^https://[^\\s]+$"',
    ],
    [
      'that is no URL',
      { payment_method: 'pm_1CardVisa', return_url: 'https://exa mple/' },
      'must match pattern "^https://[^\\s]+$"',
    ],
    [
      'that does not parse',
      { payment_method: 'pm_1CardVisa', return_url: 'https://:443/checkout' },
      'must be an https URL',
    ],
  ] as const) {
    it(`refuses a return_url ${what} with 400 naming the field, starting nothing`, async () => {
      const before = t.charges.started.length;
      const res = await post(newCharge(body));
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json<{ errors: unknown }>().errors, [{ field: 'return_url', reason }]);
      assert.equal(t.charges.started.length, before);
    });
  }
});
