/** The control API's own rules: what it refuses, what it keeps to itself, what it lists. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StandinControlError } from '../../../../tools/stripe-standin/control-client';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';

describe('stripe-standin: the control API', { timeout: 30_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null });
  });
  after(() => standin.close());

  it('names itself a test tool and lists the test payment methods it knows', async () => {
    const index = (await (await fetch(`${standin.url}/_standin`)).json()) as {
      note: string;
      test_payment_methods: Array<{ id: string; stripe?: boolean }>;
    };
    assert.match(index.note, /test tool/);
    const ids = index.test_payment_methods.map((pm) => pm.id);
    for (const id of [
      'pm_card_visa',
      'pm_card_chargeDeclined',
      'pm_card_authenticationRequired',
      'pm_standin_delayed_success',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(
      index.test_payment_methods.find((pm) => pm.id === 'pm_standin_delayed_success')?.stripe,
      false,
    );
  });

  it('refuses settings it does not know or cannot take, naming them', async () => {
    await assert.rejects(
      standin.control.configure({ rate_limit_per_second: -3 }),
      (err: unknown) =>
        err instanceof StandinControlError && err.status === 400 && /rate_limit_per_second/.test(err.message),
    );
  });

  it('keeps one endpoint per URL, updated on each registration, and never shows its secret', async () => {
    const url = 'http://127.0.0.1:9/never-called';
    const first = await standin.control.registerWebhookEndpoint({ url, secret: 'whsec_first_secret' });
    const second = await standin.control.registerWebhookEndpoint({ url, secret: 'whsec_second_secret' });
    assert.equal(second.id, first.id);
    const listing = await (await fetch(`${standin.url}/_standin/webhook_endpoints`)).text();
    assert.doesNotMatch(listing, /whsec_/);
    await standin.control.deleteWebhookEndpoint(first.id);
    await assert.rejects(
      standin.control.registerWebhookEndpoint({ url, secret: 'not-a-signing-secret' }),
      (err: unknown) => err instanceof StandinControlError && err.status === 400,
    );
  });

  it('answers 404 to a route it does not have and to an unknown PaymentIntent', async () => {
    assert.equal((await fetch(`${standin.url}/_standin/nothing`)).status, 404);
    await assert.rejects(
      standin.control.confirm('pi_unknown', 'pm_card_visa'),
      (err: unknown) => err instanceof StandinControlError && err.status === 404,
    );
  });
});
