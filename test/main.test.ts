/** The compiled binary refuses bad configuration plainly: one line per problem, no stack trace. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_CODEC_KEYS } from './support/codec';
import { runToExit } from './support/spawned-service';

const base = {
  STRIPE_KEY: 'sk_test_123',
  CHARGE_API_TOKEN: 'token-0123456789abcdef',
  PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
};

describe('the binary with bad configuration', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'no STRIPE_KEY',
      { PAYMENTS_MODE: 'gateway', CHARGE_API_TOKEN: base.CHARGE_API_TOKEN },
      /STRIPE_KEY: is required/,
    ],
    [
      'an unknown mode',
      { ...base, PAYMENTS_MODE: 'cashier' },
      /PAYMENTS_MODE: "cashier" is not valid; valid values: gateway, webhook-receiver, worker, all/,
    ],
    [
      'no mode at all',
      base,
      /PAYMENTS_MODE: is required; valid values: gateway, webhook-receiver, worker, all/,
    ],
    [
      'a malformed STRIPE_API_BASE',
      { ...base, PAYMENTS_MODE: 'gateway', STRIPE_API_BASE: 'localhost:12111' },
      /STRIPE_API_BASE: /,
    ],
    [
      'no PAYMENTS_CODEC_KEYS',
      { ...base, PAYMENTS_MODE: 'worker', PAYMENTS_CODEC_KEYS: '' },
      /PAYMENTS_CODEC_KEYS: is required \(one or more id:base64 keys of 32 bytes/,
    ],
    [
      'a codec server without its token',
      { PAYMENTS_MODE: 'codec-server', PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS },
      /CODEC_SERVER_TOKEN: is required in mode codec-server/,
    ],
    [
      'a non-numeric PORT',
      { ...base, PAYMENTS_MODE: 'gateway', PORT: 'http' },
      /PORT: must be a whole number/,
    ],
  ];
  for (const [what, env, message] of cases) {
    it(`exits non-zero with a clear message for ${what}`, async () => {
      const { code, stdout, stderr } = await runToExit(env);
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.match(stderr, /^payments: invalid configuration:/);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.equal(stdout, '');
    });
  }

  it('never prints the Stripe key, even a malformed one', async () => {
    const { stderr } = await runToExit({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_live_has-a-dash-and-is-secret',
    });
    assert.doesNotMatch(stderr, /has-a-dash-and-is-secret/);
    assert.match(stderr, /STRIPE_KEY: must look like/);
  });

  it('never prints a codec key, even one of the wrong length', async () => {
    const material = Buffer.from('sixteen-byte-key').toString('base64');
    const { code, stderr } = await runToExit({
      ...base,
      PAYMENTS_MODE: 'worker',
      PAYMENTS_CODEC_KEYS: `2025-q1:${material}`,
    });
    assert.equal(code, 2);
    assert.match(stderr, /PAYMENTS_CODEC_KEYS: key 1 \("2025-q1"\): must be base64 of exactly 32 bytes/);
    assert.ok(!stderr.includes(material), stderr);
  });

  it('never prints the Kafka SASL password of a half-configured SASL', async () => {
    const password = 'sasl-password-of-the-suite';
    const { code, stderr } = await runToExit({
      ...base,
      PAYMENTS_MODE: 'worker',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_PASSWORD: password,
    });
    assert.equal(code, 2);
    assert.match(stderr, /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: both are required/);
    assert.ok(!stderr.includes(password), stderr);
  });
});
