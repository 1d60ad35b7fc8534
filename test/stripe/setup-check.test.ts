/** npm run stripe:check: what it lets through and what it stops before the service starts. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config';
import { STRIPE_API_VERSION } from '../../src/stripe/client';
import { checkStripeOnline, checkStripeSetup } from '../../src/stripe/setup-check';
import { LOCAL_CODEC_KEYS } from '../support/codec';
import { startTestStandin, type TestStandin } from '../support/stripe-standin';
import { fakeLiveKey } from '../support/fake-keys';

/** scripts/dev.env's local placeholders, which only work against the stand-in. */
const LOCAL_PLACEHOLDER_KEY = 'sk_test_localdevelopment';
const LOCAL_PLACEHOLDER_WEBHOOK_SECRET = 'whsec_local_development';
const REAL_LOOKING_SECRET = 'whsec_oZ8nus9PHnoltEtWZ3pGITZdeHWHoqnL';

function stripeConfig(env: Record<string, string>) {
  return loadConfig({
    PAYMENTS_MODE: 'webhook-receiver',
    STRIPE_KEY: 'sk_test_abcdefghijklmnop',
    STRIPE_WEBHOOK_SECRET: REAL_LOOKING_SECRET,
    PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
    ...env,
  }).stripe;
}

const failures = (findings: ReturnType<typeof checkStripeSetup>) =>
  findings.filter((f) => !f.ok && !f.warning).map((f) => f.what.split(':')[0]);

describe('stripe:check', () => {
  it("passes a test key and a Stripe-issued webhook secret against Stripe's API, with the SDK's API version", () => {
    const findings = checkStripeSetup(stripeConfig({}));
    assert.deepEqual(failures(findings), []);
    assert.ok(findings.some((f) => f.what.includes(`pinned to ${STRIPE_API_VERSION}`)));
  });

  it('stops a live key unless told it is meant', () => {
    const live = stripeConfig({ STRIPE_KEY: fakeLiveKey() });
    assert.deepEqual(failures(checkStripeSetup(live)), ['key mode']);
    assert.deepEqual(failures(checkStripeSetup(live, { allowLive: true })), []);
  });

  it('stops the local placeholders against real Stripe, and takes them against the stand-in', () => {
    const placeholders = {
      STRIPE_KEY: LOCAL_PLACEHOLDER_KEY,
      STRIPE_WEBHOOK_SECRET: LOCAL_PLACEHOLDER_WEBHOOK_SECRET,
    };
    assert.deepEqual(
      failures(checkStripeSetup(stripeConfig(placeholders), { localPlaceholderKey: LOCAL_PLACEHOLDER_KEY })),
      ['key mode', 'webhook secret'],
    );
    const local = stripeConfig({ ...placeholders, STRIPE_API_BASE: 'http://127.0.0.1:12112' });
    assert.deepEqual(failures(checkStripeSetup(local)), []);
  });

  it('names a webhook secret among several without showing it', () => {
    const findings = checkStripeSetup(
      stripeConfig({ STRIPE_WEBHOOK_SECRET: `${REAL_LOOKING_SECRET},whsec_short` }),
    );
    assert.deepEqual(failures(findings), ['webhook secret #2']);
    assert.ok(findings.every((f) => !f.what.includes('whsec_short')));
  });

  it('stops an API version pin the SDK was not built for', () => {
    const findings = checkStripeSetup(stripeConfig({}), { sdkApiVersion: '2099-01-01.future' });
    assert.deepEqual(failures(findings), ['API version']);
  });

  describe('online', () => {
    let standin: TestStandin;
    before(async () => {
      standin = await startTestStandin({ rate_limit_per_second: null });
    });
    after(() => standin.close());

    it('asks the target whether the key works, and in which mode', async () => {
      assert.deepEqual(
        (await checkStripeOnline(standin.stripe, 'sk_test_standinsuite')).map((f) => f.ok),
        [true],
      );
      assert.deepEqual(
        (await checkStripeOnline(standin.stripe, fakeLiveKey('sk', 'SUITE'))).map((f) => f.ok),
        [false],
      );
    });
  });
});
