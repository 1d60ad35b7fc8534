import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { payloadHash } from '../../src/api/charges/payload-hash';
import { DEFAULT_CHARGE_TIMING, type ChargeRequest } from '../../src/contracts/charge';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

function validCharge(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: `evt-${randomUUID()}`,
    order_id: `order-${randomUUID()}`,
    amount: 1999,
    currency: 'USD',
    ...overrides,
  };
}

describe('POST /charge', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const post = (payload: unknown, headers: Record<string, string> = auth) =>
    t.app.inject({ method: 'POST', url: '/charge', payload: payload as object, headers });

  it('answers 401 without a bearer token, or with a wrong one, and starts nothing', async () => {
    const before = t.charges.started.length;
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: TEST_API_TOKEN },
    ];
    for (const headers of attempts) {
      const res = await post(validCharge(), headers);
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    assert.equal(t.charges.started.length, before);
  });

  it('accepts any of the configured tokens, so a token can be rotated', async () => {
    const res = await post(validCharge(), { authorization: 'Bearer previous-api-token-0123456789' });
    assert.equal(res.statusCode, 202);
  });

  it('starts a new charge: 202 with workflow id, run id, status, status URL and Location', async () => {
    const body = validCharge();
    const res = await post(body);
    assert.equal(res.statusCode, 202);
    const json = res.json<Record<string, unknown>>();
    assert.equal(json['event_id'], body['event_id']);
    assert.equal(json['workflow_id'], `charge-${String(body['event_id'])}`);
    assert.equal(json['status'], 'pending');
    assert.equal(json['duplicate'], false);
    assert.equal(json['status_url'], `/charges/${String(body['event_id'])}`);
    assert.equal(res.headers['location'], json['status_url']);
    assert.equal(t.charges.started.at(-1)?.request.currency, 'usd', 'currency is stored lowercase');
  });

  it('answers a repeat of the same request with 200, duplicate=true and no second start', async () => {
    const body = validCharge();
    await post(body);
    const before = t.charges.started.length;
    const res = await post({ ...body, currency: 'usd' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<Record<string, unknown>>()['duplicate'], true);
    assert.equal(t.charges.started.length, before);
  });

  it('answers 409 when the event_id is reused with a different payload', async () => {
    const body = validCharge();
    await post(body);
    const res = await post({ ...body, amount: 2000 });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, [
      { field: 'event_id', reason: 'is already used with a different payload' },
    ]);
  });

  it('answers a repeat of a charge it started with one describe, without asking Temporal to start it again', async () => {
    const body = validCharge();
    await post(body);
    const before = { ...t.charges.calls };
    const res = await post(body);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(t.charges.calls, { start: before.start, describe: before.describe + 1 });
  });

  it('answers a repeat of a charge another gateway started: start refused, then describe; later repeats describe only', async () => {
    const request: ChargeRequest = {
      event_id: `evt-${randomUUID()}`,
      order_id: `order-${randomUUID()}`,
      amount: 1999,
      currency: 'usd',
    };
    await t.charges.start({ request, payload_hash: payloadHash(request), timing: DEFAULT_CHARGE_TIMING });
    const body = { ...request };
    const first = { ...t.charges.calls };
    assert.equal((await post(body)).statusCode, 200);
    assert.deepEqual(t.charges.calls, { start: first.start + 1, describe: first.describe + 1 });
    const second = { ...t.charges.calls };
    assert.equal((await post(body)).statusCode, 200);
    assert.deepEqual(t.charges.calls, { start: second.start, describe: second.describe + 1 });
  });

  it('leaves Temporal the judge: once a charge is gone (retention), the same event_id is started again', async () => {
    const body = validCharge();
    await post(body);
    t.charges.expire(String(body['event_id']));
    const res = await post(body);
    assert.equal(res.statusCode, 202);
    assert.equal(res.json<Record<string, unknown>>()['duplicate'], false);
  });

  const invalid: Array<[string, Record<string, unknown>, string, string]> = [
    ['a missing event_id', { event_id: undefined }, 'event_id', 'is required'],
    ['a missing amount', { amount: undefined }, 'amount', 'is required'],
    ['an event_id with forbidden characters', { event_id: 'evt/1 2' }, 'event_id', 'must match pattern'],
    [
      'an event_id over 200 characters',
      { event_id: 'e'.repeat(201) },
      'event_id',
      'must NOT have more than 200 characters',
    ],
    ['an empty order_id', { order_id: '' }, 'order_id', 'must NOT have fewer than 1 characters'],
    [
      'an order_id over 200 characters',
      { order_id: 'o'.repeat(201) },
      'order_id',
      'must NOT have more than 200',
    ],
    ['a negative amount', { amount: -5 }, 'amount', 'must be >= 1'],
    ['a zero amount', { amount: 0 }, 'amount', 'must be >= 1'],
    ['an amount too large', { amount: 100_000_000 }, 'amount', 'must be <= 99999999'],
    ['a fractional amount', { amount: 19.99 }, 'amount', 'must be integer'],
    ['an amount sent as a string', { amount: '1999' }, 'amount', 'must be integer'],
    ['a currency of the wrong length', { currency: 'dollars' }, 'currency', 'must match pattern'],
    ['a currency that is not ISO 4217', { currency: 'xyz' }, 'currency', 'is not an ISO 4217 currency code'],
    [
      'an accounting unit (the SDR) Stripe does not charge in',
      { currency: 'xdr' },
      'currency',
      'is not a currency Stripe charges in',
    ],
    [
      'USD below the Stripe minimum of 0.50',
      { amount: 49, currency: 'usd' },
      'amount',
      "below Stripe's minimum charge of 0.50 USD",
    ],
    [
      'GBP below the Stripe minimum of 0.30',
      { amount: 29, currency: 'gbp' },
      'amount',
      'minimum charge of 0.30 GBP',
    ],
    [
      'JPY below the Stripe minimum of 50 (zero-decimal)',
      { amount: 49, currency: 'jpy' },
      'amount',
      'minimum charge of 50 JPY',
    ],
    [
      'a KWD amount not ending in 0 (three-decimal)',
      { amount: 1995, currency: 'kwd' },
      'amount',
      'must end in 0 for KWD',
    ],
    [
      'an ISK amount of fractional krónur (Stripe: two-decimal, whole units only)',
      { amount: 50_050, currency: 'isk' },
      'amount',
      'must be divisible by 100 for ISK',
    ],
    [
      'an ISK amount meant as whole krónur (5 ISK is 500)',
      { amount: 5, currency: 'isk' },
      'amount',
      'must be divisible by 100 for ISK',
    ],
    [
      'a UGX amount sent zero-decimal (Stripe takes UGX as two-decimal, whole units only)',
      { amount: 3_745, currency: 'ugx' },
      'amount',
      'must be divisible by 100 for UGX',
    ],
    [
      'HUF below the Stripe minimum of 175.00',
      { amount: 17_499, currency: 'huf' },
      'amount',
      'minimum charge of 175.00 HUF',
    ],
    ['an unknown field', { tip: 100 }, 'tip', 'is not a known field'],
    ['metadata with a non-string value', { metadata: { gift: true } }, 'metadata.gift', 'must be string'],
    [
      'metadata with over 20 keys',
      { metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
      'must NOT have more than 20 properties',
    ],
    ['a malformed customer id', { customer_id: 'bob' }, 'customer_id', 'must match pattern'],
    [
      'a metadata key over 40 characters',
      { metadata: { ['k'.repeat(41)]: 'v' } },
      `metadata.${'k'.repeat(41)}`,
      'must be a key of 1 to 40 characters',
    ],
    ['an empty metadata key', { metadata: { '': 'v' } }, 'metadata.', 'must be a key of 1 to 40 characters'],
    ['a reserved metadata key', { metadata: { order_id: 'x' } }, 'metadata.order_id', 'is reserved'],
  ];
  for (const [what, change, field, reason] of invalid) {
    it(`rejects ${what} with 400 naming ${field}`, async () => {
      const before = t.charges.started.length;
      const res = await post(validCharge(change));
      assert.equal(res.statusCode, 400, res.body);
      const json = res.json<{ error: string; errors: Array<{ field: string; reason: string }> }>();
      assert.equal(json.error, 'invalid_request');
      const match = json.errors.find((e) => e.field === field);
      assert.ok(match, `expected an error on ${field}, got ${res.body}`);
      assert.ok(match.reason.includes(reason), `expected "${reason}" in "${match.reason}"`);
      assert.equal(t.charges.started.length, before, 'no workflow started');
    });
  }

  it('names every problem the schema cannot see at once: a reserved metadata key, a currency, a return_url', async () => {
    const res = await post(
      validCharge({ currency: 'xyz', metadata: { event_id: 'x' }, return_url: 'https://shop.example/done' }),
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(
      res.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field),
      ['metadata.event_id', 'currency', 'return_url'],
    );
  });

  for (const [amount, currency] of [
    [50, 'usd'],
    [30, 'gbp'],
    [50, 'jpy'],
    [1999, 'jpy'],
    [1990, 'kwd'],
    [500, 'isk'],
    [374_500, 'ugx'],
    // HUF and TWD are zero-decimal at Stripe for payouts only: charges take two decimals.
    [17_550, 'huf'],
    [1_050, 'twd'],
  ] as const) {
    it(`accepts ${amount} ${currency}: at or above Stripe's minimum, in the currency's own minor unit`, async () => {
      const res = await post(validCharge({ amount, currency }));
      assert.equal(res.statusCode, 202, res.body);
    });
  }

  // Stripe's documented test PaymentMethods, a live-style id, and the older Card and Source ids.
  for (const paymentMethod of [
    'pm_1NqXyZ2eZvKYlo2C0ABCdefG',
    'pm_card_visa',
    'pm_card_visa_debit',
    'pm_card_mastercard',
    'pm_card_chargeDeclined',
    'pm_card_chargeDeclinedInsufficientFunds',
    'pm_card_authenticationRequired',
    'pm_card_threeDSecure2Required',
    'pm_card_visa_chargeDeclinedInsufficientFunds',
    'card_1NqXyZ2eZvKYlo2C',
    'src_1NqXyZ2eZvKYlo2C',
  ]) {
    it(`takes payment_method ${paymentMethod} and hands it to the charge`, async () => {
      const res = await post(validCharge({ payment_method: paymentMethod }));
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(t.charges.started.at(-1)?.request.payment_method, paymentMethod);
    });
  }

  for (const garbage of [
    'pm_',
    'pm',
    'pm__card_visa',
    'pm_card_visa_',
    'pm_card visa',
    'pm-card-visa',
    'PM_card_visa',
    'tok_visa',
    'cus_123',
    'pm_card_visa\n',
    'pm_<script>',
    `pm_${'a'.repeat(253)}`,
  ]) {
    it(`refuses payment_method ${JSON.stringify(garbage.slice(0, 30))} with 400 naming payment_method`, async () => {
      const before = t.charges.started.length;
      const res = await post(validCharge({ payment_method: garbage }));
      assert.equal(res.statusCode, 400, res.body);
      const json = res.json<{ errors: Array<{ field: string }> }>();
      assert.deepEqual(
        json.errors.map((e) => e.field),
        ['payment_method'],
      );
      assert.equal(t.charges.started.length, before);
    });
  }

  it('refuses an order event older than the dedupe window with 422 event_too_old, and starts nothing', async () => {
    const before = t.charges.started.length;
    const nineDaysAgo = new Date(Date.now() - 9 * 86_400_000).toISOString();
    const res = await post(validCharge({ occurred_at: nineDaysAgo }));
    assert.equal(res.statusCode, 422, res.body);
    const json = res.json<{ error: string; errors: Array<{ field: string }> }>();
    assert.equal(json.error, 'event_too_old');
    assert.equal(json.errors[0]?.field, 'occurred_at');
    assert.equal(t.charges.started.length, before);
  });

  it('takes an order event inside the window, and keeps occurred_at out of the charged payload', async () => {
    const body = validCharge({ occurred_at: new Date(Date.now() - 7 * 86_400_000).toISOString() });
    assert.equal((await post(body)).statusCode, 202);
    assert.equal(t.charges.started.at(-1)?.request.event_id, body['event_id']);
    assert.ok(!('occurred_at' in (t.charges.started.at(-1)?.request ?? {})));
    const { occurred_at: _ignored, ...withoutTime } = body;
    assert.equal((await post(withoutTime)).statusCode, 200, 'the same event without occurred_at is a repeat');
  });

  it('rejects an occurred_at that is not an RFC 3339 date-time with 400', async () => {
    const res = await post(validCharge({ occurred_at: 'yesterday' }));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'occurred_at');
  });

  it('answers 503 saying why, and starts nothing, while the namespace forgets charges sooner than the window', async () => {
    const before = t.charges.started.length;
    t.dedupe.shortRetention =
      'namespace default keeps closed workflows for 1d, shorter than the dedupe window';
    try {
      const res = await post(validCharge());
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      const json = res.json<{ error: string; message: string }>();
      assert.equal(json.error, 'dedupe_window_not_kept');
      assert.match(json.message, /keeps closed workflows for 1d/);
      assert.equal(t.charges.started.length, before);
    } finally {
      t.dedupe.shortRetention = undefined;
    }
  });

  it('answers 503 saying why, and starts nothing, while the namespace retention has not been read (fails closed)', async () => {
    const before = t.charges.started.length;
    t.dedupe.unread = 'the retention of namespace default could not be read; it is read again within 2s';
    try {
      const res = await post(validCharge());
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      const json = res.json<{ error: string; message: string }>();
      assert.equal(json.error, 'dedupe_window_unconfirmed');
      assert.match(
        json.message,
        /^no charge is taken while the retention of namespace default could not be read/,
      );
      assert.equal(t.charges.started.length, before);
    } finally {
      t.dedupe.unread = undefined;
    }
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/charge',
      payload: '{"event_id": ',
      headers: { 'content-type': 'application/json', ...auth },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json<{ errors: unknown }>().errors, [
      { field: '(body)', reason: 'is not valid JSON' },
    ]);
  });

  it('rejects a JSON body that is not an object with 400', async () => {
    const res = await post([1, 2, 3]);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, '(body)');
  });

  it('rejects a body over 64 KiB with 413', async () => {
    const res = await post(validCharge({ description: 'x'.repeat(70 * 1024) }));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<{ error: string }>().error, 'payload_too_large');
  });

  it('answers 503 with Retry-After when Temporal cannot be reached, and starts nothing', async () => {
    t.charges.unavailable = true;
    try {
      const res = await post(validCharge());
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.ok(!res.body.includes('UNAVAILABLE'), 'the cause is logged, not shown');
    } finally {
      t.charges.unavailable = false;
    }
  });
});

describe('GET /charges/:event_id', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  it('reads the charge from its workflow', async () => {
    const body = validCharge();
    await t.app.inject({ method: 'POST', url: '/charge', payload: body, headers: auth });
    const res = await t.app.inject({
      method: 'GET',
      url: `/charges/${String(body['event_id'])}`,
      headers: auth,
    });
    assert.equal(res.statusCode, 200);
    const json = res.json<Record<string, unknown>>();
    assert.equal(json['order_id'], body['order_id']);
    assert.equal(json['currency'], 'usd');
    assert.equal(json['payment_intent_id'], null);
  });

  it('answers 404 for an unknown event_id and 400 for a malformed one', async () => {
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/charges/never-seen', headers: auth })).statusCode,
      404,
    );
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/charges/bad%20id', headers: auth })).statusCode,
      400,
    );
  });
});
