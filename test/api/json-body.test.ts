/**
 * The gateway's JSON bodies: a key given twice in one object, at any depth, is refused with 400
 * naming it, instead of JSON.parse silently keeping the last value (`{"amount":1000,…,"amount":
 * 99999999}` would charge the second). Everything else stays as it was: the body limit (413), bad
 * JSON (400 invalid_json), prototype poisoning refused, and a bodiless cancel.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { firstDuplicateKey } from '../../src/api/json-body';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

describe('firstDuplicateKey', () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1,"c":{"b":2}},"d":[{"b":1},{"b":2}]}', undefined],
    ['{"metadata":{"note":"x","note":"y"}}', 'metadata.note'],
    ['{"items":[{"sku":"a"},{"sku":"b","sku":"c"}]}', 'items.1.sku'],
    ['[[1,2],[{"x":1,"x":2}]]', '1.0.x'],
    ['{"amount":1,"\\u0061mount":2}', 'amount'],
    ['{"a":"\\"a\\":","a":1}', 'a'],
    ['{"k":"{\\"k\\":1,\\"k\\":2}"}', undefined],
    ['{ "a" : 1 ,\n "b" : { } ,\t"a" : 2 }', 'a'],
    ['"just a string"', undefined],
    ['{"":1,"":2}', ''],
  ];
  for (const [text, expected] of cases) {
    it(`${expected === undefined ? 'finds no repeat in' : `names ${JSON.stringify(expected)} in`} ${text}`, () => {
      JSON.parse(text); // each case is valid JSON
      assert.equal(firstDuplicateKey(text), expected);
    });
  }
});

describe('JSON bodies of the gateway routes', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.app.close());

  const send = (url: string, payload: string) =>
    t.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...auth, 'content-type': 'application/json' },
    });
  const chargeText = (eventId: string, extra = '') =>
    `{"event_id":"${eventId}","order_id":"o-${eventId}","amount":1000,"currency":"usd"${extra}}`;

  it('refuses POST /charge with a repeated amount, naming amount, and starts nothing', async () => {
    const before = t.charges.started.length;
    const res = await send('/charge', chargeText(`evt-${randomUUID()}`, ',"amount":99999999'));
    assert.equal(res.statusCode, 400, res.body);
    const json = res.json<{
      error: string;
      message: string;
      errors: Array<{ field: string; reason: string }>;
    }>();
    assert.equal(json.error, 'invalid_json');
    assert.deepEqual(
      json.errors.map((e) => e.field),
      ['amount'],
    );
    assert.match(json.message, /^amount appears more than once/);
    assert.equal(t.charges.started.length, before);
  });

  it('refuses a key repeated inside metadata, naming metadata.<key>', async () => {
    const res = await send(
      '/charge',
      chargeText(`evt-${randomUUID()}`, ',"metadata":{"gift":"no","gift":"yes"}'),
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'metadata.gift');
  });

  it('refuses a key repeated through an escape (\\u0065vent_id is event_id)', async () => {
    const eventId = `evt-${randomUUID()}`;
    const res = await send('/charge', chargeText(eventId, `,"\\u0065vent_id":"evt-other"`));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'event_id');
  });

  it('refuses a refund body with a repeated amount, naming amount, before it reaches the charge', async () => {
    const eventId = `evt-${randomUUID()}`;
    assert.equal((await send('/charge', chargeText(eventId))).statusCode, 202);
    t.charges.statuses.set(eventId, 'succeeded');
    const res = await send(`/charges/${eventId}/refund`, '{"refund_id":"r-1","amount":100,"amount":1000}');
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, 'amount');
    assert.equal(t.charges.refunds.get(eventId), undefined);
  });

  it('still takes a charge whose keys are all distinct, nested ones included', async () => {
    const res = await send(
      '/charge',
      chargeText(`evt-${randomUUID()}`, ',"metadata":{"amount":"1","note":"n"}'),
    );
    assert.equal(res.statusCode, 202, res.body);
  });

  it('keeps the 64 KiB body limit (413), the bad-JSON answer and the prototype-poisoning refusal', async () => {
    const big = await send(
      '/charge',
      chargeText(`evt-${randomUUID()}`, `,"description":"${'x'.repeat(70 * 1024)}"`),
    );
    assert.equal(big.statusCode, 413);
    assert.equal(big.json<{ error: string }>().error, 'payload_too_large');

    const broken = await send('/charge', '{"event_id": ');
    assert.equal(broken.statusCode, 400);
    assert.deepEqual(broken.json<{ errors: unknown }>().errors, [
      { field: '(body)', reason: 'is not valid JSON' },
    ]);

    const empty = await send('/charge', '');
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json<{ error: string }>().error, 'invalid_json');

    const poisoned = await send('/charge', chargeText(`evt-${randomUUID()}`, ',"__proto__":{"admin":true}'));
    assert.equal(poisoned.statusCode, 400, poisoned.body);
  });

  it('still cancels with an empty body sent as JSON', async () => {
    const eventId = `evt-${randomUUID()}`;
    assert.equal((await send('/charge', chargeText(eventId))).statusCode, 202);
    const res = await send(`/charges/${eventId}/cancel`, '');
    assert.equal(res.statusCode, 200, res.body);
  });
});
