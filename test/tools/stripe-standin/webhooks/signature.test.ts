/** The Stripe-Signature header, checked with Stripe's own SDK as the service checks it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { signatureHeader } from '../../../../tools/stripe-standin/webhooks/signature';

const sdk = new Stripe('sk_test_signaturecheck');

describe('stripe-standin: webhook signatures', () => {
  it('signs t.payload with HMAC-SHA256 under the whsec_ secret, as Stripe does', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' });
    const header = signatureHeader(payload, 'whsec_standin_test', Math.floor(Date.now() / 1000));
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    const event = sdk.webhooks.constructEvent(payload, header, 'whsec_standin_test');
    assert.equal(event.id, 'evt_1');
    assert.throws(() => sdk.webhooks.constructEvent(payload, header, 'whsec_another_secret'));
  });
});
