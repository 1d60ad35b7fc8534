/** The 3-D Secure test page a next_action leads to: it stands for the bank's, and returns the customer. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestStandin, type TestStandin } from '../../../support/stripe-standin';

describe('stripe-standin: the 3-D Secure test page', { timeout: 30_000 }, () => {
  let standin: TestStandin;
  before(async () => {
    standin = await startTestStandin({ rate_limit_per_second: null });
  });
  after(() => standin.close());

  it('shows the payment, and on "complete" sends the customer back to the return_url as Stripe does', async () => {
    const pi = await standin.stripe.paymentIntents.create({ amount: 2500, currency: 'eur' });
    const confirmed = await standin.stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_authenticationRequired',
      return_url: 'https://shop.example/checkout/complete',
    });
    const page = confirmed.next_action?.redirect_to_url?.url ?? '';
    const shown = await fetch(page);
    assert.equal(shown.status, 200);
    assert.match(await shown.text(), /a local test tool, not your bank and not Stripe/);

    const done = await fetch(page, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'result=complete',
      redirect: 'manual',
    });
    assert.equal(done.status, 303);
    const back = new URL(done.headers.get('location') ?? '');
    assert.equal(`${back.origin}${back.pathname}`, 'https://shop.example/checkout/complete');
    assert.deepEqual(
      [back.searchParams.get('payment_intent'), back.searchParams.get('redirect_status')],
      [pi.id, 'succeeded'],
    );
    assert.equal((await standin.stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded');
  });
});
