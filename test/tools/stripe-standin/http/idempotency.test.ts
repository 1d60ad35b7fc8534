/** Stripe's idempotency keys: replay the first answer; other parameters or endpoint: an error. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDEMPOTENCY_KEY_TTL_MS, IdempotencyKeys } from '../../../../tools/stripe-standin/http/idempotency';

const ANSWER = { status: 200, body: '{"id":"pi_1"}' };

describe('stripe-standin: idempotency keys', () => {
  it('replays the first answer to the same parameters under the same key', () => {
    const keys = new IdempotencyKeys();
    assert.deepEqual(keys.begin('k1', 'POST /v1/payment_intents', 'a=1'), { kind: 'new' });
    keys.finish('k1', ANSWER);
    assert.deepEqual(keys.begin('k1', 'POST /v1/payment_intents', 'a=1'), { kind: 'replay', answer: ANSWER });
  });

  it('refuses other parameters under a used key with an idempotency_error 400', () => {
    const keys = new IdempotencyKeys();
    keys.begin('k1', 'POST /v1/payment_intents', 'amount=1000');
    keys.finish('k1', ANSWER);
    const verdict = keys.begin('k1', 'POST /v1/payment_intents', 'amount=2000');
    assert.equal(verdict.kind, 'refuse');
    assert.equal(verdict.kind === 'refuse' && verdict.error.status, 400);
    assert.equal(verdict.kind === 'refuse' && verdict.error.body.type, 'idempotency_error');
    assert.match(
      verdict.kind === 'refuse' ? verdict.error.message : '',
      /same parameters they were first used with/,
    );
  });

  it('refuses the key on another endpoint', () => {
    const keys = new IdempotencyKeys();
    keys.begin('k1', 'POST /v1/payment_intents', 'a=1');
    keys.finish('k1', ANSWER);
    const verdict = keys.begin('k1', 'POST /v1/refunds', 'a=1');
    assert.equal(verdict.kind === 'refuse' && verdict.error.body.type, 'idempotency_error');
    assert.match(verdict.kind === 'refuse' ? verdict.error.message : '', /same endpoint/);
  });

  it('answers 409 while the first request with the key is still running', () => {
    const keys = new IdempotencyKeys();
    keys.begin('k1', 'POST /v1/payment_intents', 'a=1');
    const verdict = keys.begin('k1', 'POST /v1/payment_intents', 'a=1');
    assert.equal(verdict.kind === 'refuse' && verdict.error.status, 409);
  });

  it('keeps nothing for a request that did not run, so it can be retried', () => {
    const keys = new IdempotencyKeys();
    keys.begin('k1', 'POST /v1/payment_intents', 'a=1');
    keys.abandon('k1');
    assert.deepEqual(keys.begin('k1', 'POST /v1/payment_intents', 'a=2'), { kind: 'new' });
  });

  it('forgets a key after 24 hours, or when told to', () => {
    let now = 0;
    const keys = new IdempotencyKeys(() => now);
    keys.begin('k1', 'POST /v1/payment_intents', 'a=1');
    keys.finish('k1', ANSWER);
    keys.begin('k2', 'POST /v1/payment_intents', 'a=1');
    keys.finish('k2', ANSWER);
    now = IDEMPOTENCY_KEY_TTL_MS + 1;
    assert.deepEqual(keys.begin('k1', 'POST /v1/payment_intents', 'a=9'), { kind: 'new' });
    assert.equal(keys.expire(['k1']), 1);
    assert.deepEqual(keys.begin('k1', 'POST /v1/payment_intents', 'a=8'), { kind: 'new' });
  });
});
