/** /v1/refunds: create (with Stripe's remainder rules), retrieve, list. */
import { integerParam, stringMapParam, stringParam } from '../http/form';
import { renderRefund } from '../state/render';
import { listOf, type ApiRoute } from './context';

export const REFUND_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: /^\/v1\/refunds$/,
    handler: (state, { params, origin }) =>
      renderRefund(
        state.refunds.create(
          {
            payment_intent: stringParam(params, 'payment_intent'),
            charge: stringParam(params, 'charge'),
            amount: integerParam(params, 'amount'),
            reason: stringParam(params, 'reason') ?? null,
            metadata: stringMapParam(params, 'metadata') ?? {},
          },
          origin,
        ),
      ),
  },
  {
    method: 'GET',
    path: /^\/v1\/refunds$/,
    handler: (state, { params }) =>
      listOf(
        '/v1/refunds',
        state.refunds
          .list({
            payment_intent: stringParam(params, 'payment_intent'),
            charge: stringParam(params, 'charge'),
          })
          .map(renderRefund),
        stringParam(params, 'limit'),
      ),
  },
  {
    method: 'GET',
    path: /^\/v1\/refunds\/(re_[A-Za-z0-9]+)$/,
    handler: (state, _request, [id = '']) => renderRefund(state.refunds.get(id)),
  },
];
