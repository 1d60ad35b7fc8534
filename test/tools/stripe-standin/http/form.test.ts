/** Stripe's bracket-encoded form parameters, read as Stripe's API reads them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  booleanParam,
  decodeForm,
  flatParams,
  listParam,
  stringMapParam,
} from '../../../../tools/stripe-standin/http/form';

describe('stripe-standin: form parameters', () => {
  it('nests bracketed keys into objects and lists', () => {
    const params = decodeForm(
      'amount=2000&metadata[event_id]=e1&metadata[order_id]=o1&expand[]=latest_charge&expand[]=customer&' +
        'payment_method_options[card][request_three_d_secure]=any',
    );
    assert.deepEqual(params, {
      amount: '2000',
      metadata: { event_id: 'e1', order_id: 'o1' },
      expand: ['latest_charge', 'customer'],
      payment_method_options: { card: { request_three_d_secure: 'any' } },
    });
  });

  it('reads indexed lists, maps of strings and Stripe booleans', () => {
    const params = decodeForm('payment_method_types[0]=card&confirm=true&off_session=false&metadata[a]=x');
    assert.deepEqual(listParam(params, 'payment_method_types'), ['card']);
    assert.equal(booleanParam(params, 'confirm'), true);
    assert.equal(booleanParam(params, 'off_session'), false);
    assert.deepEqual(stringMapParam(params, 'metadata'), { a: 'x' });
  });

  it('compares parameters regardless of their order (an idempotency key covers the same request)', () => {
    assert.deepEqual(flatParams('b=2&a=1&metadata[x]=y'), flatParams('metadata[x]=y&a=1&b=2'));
    assert.notDeepEqual(flatParams('amount=1000'), flatParams('amount=2000'));
  });
});
