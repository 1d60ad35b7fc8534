/** Reads of what the stand-in keeps besides PaymentIntents and refunds: charges, disputes, events. */
import { stringParam } from '../http/form';
import { resourceMissing } from '../http/stripe-errors';
import { renderCharge, renderDispute } from '../state/render';
import { listOf, type ApiRoute } from './context';

/**
 * The account's balance from what the stand-in keeps: card payments land in `pending` (Stripe holds
 * new card funds there before they become available), minus their refunds; nothing is ever paid out
 * or becomes available.
 */
function balance(state: Parameters<ApiRoute['handler']>[0]) {
  const pending = new Map<string, number>();
  for (const charge of state.store.charges.values()) {
    if (!charge.captured) continue;
    const refunded = state.store
      .refundsOf(charge.payment_intent)
      .filter((r) => r.charge === charge.id && r.status !== 'failed' && r.status !== 'canceled')
      .reduce((sum, r) => sum + r.amount, 0);
    pending.set(charge.currency, (pending.get(charge.currency) ?? 0) + charge.amount_captured - refunded);
  }
  const currencies = pending.size > 0 ? [...pending.keys()].sort() : ['usd'];
  return {
    object: 'balance',
    available: currencies.map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
    pending: currencies.map((currency) => {
      const amount = pending.get(currency) ?? 0;
      return { amount, currency, source_types: { card: amount } };
    }),
    livemode: false,
  };
}

export const READ_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: /^\/v1\/balance$/, handler: (state) => balance(state) },
  {
    method: 'GET',
    path: /^\/v1\/charges\/(ch_[A-Za-z0-9]+)$/,
    handler: (state, _request, [id = '']) => {
      const charge = state.store.charges.get(id);
      if (!charge) throw resourceMissing('charge', id, 'id');
      return renderCharge(charge);
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/disputes\/(dp_[A-Za-z0-9]+)$/,
    handler: (state, _request, [id = '']) => renderDispute(state.disputes.get(id)),
  },
  {
    method: 'GET',
    path: /^\/v1\/events\/(evt_[A-Za-z0-9]+)$/,
    handler: (state, _request, [id = '']) => {
      const event = state.store.events.get(id);
      if (!event) throw resourceMissing('event', id, 'id');
      return eventObject(event);
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/events$/,
    handler: (state, { params }) => {
      const type = stringParam(params, 'type');
      const events = [...state.store.events.values()]
        .filter((e) => type === undefined || e.type === type)
        .reverse()
        .map(eventObject);
      return listOf('/v1/events', events, stringParam(params, 'limit'));
    },
  },
];

function eventObject(event: {
  id: string;
  type: string;
  created: number;
  object: Record<string, unknown>;
  request: unknown;
}) {
  return {
    id: event.id,
    object: 'event',
    api_version: null,
    created: event.created,
    data: { object: event.object },
    livemode: false,
    pending_webhooks: 0,
    request: event.request,
    type: event.type,
  };
}
