/** /v1/payment_intents: create (and confirm), retrieve, update, confirm, capture, cancel, list, search. */
import {
  booleanParam,
  integerParam,
  listParam,
  stringMapParam,
  stringParam,
  type FormObject,
} from '../http/form';
import { invalidRequest } from '../http/stripe-errors';
import type { PaymentIntentRecord } from '../state/model';
import { declineError, type ConfirmInput, type ConfirmResult } from '../state/payment-intents';
import { matches, parseSearchQuery } from '../search';
import { listOf, type ApiRoute, type StandinState } from './context';

const ID = '(pi_[A-Za-z0-9]+)';

function confirmInput(params: FormObject): ConfirmInput {
  const offSession = stringParam(params, 'off_session');
  return {
    payment_method: stringParam(params, 'payment_method') ?? null,
    // off_session is `true`, or `one_off` / `recurring`: any of them means the customer is away.
    off_session: offSession !== undefined && offSession !== 'false',
    return_url: stringParam(params, 'return_url') ?? null,
  };
}

function answer(state: StandinState, result: ConfirmResult, params: FormObject) {
  const rendered = state.paymentIntents.render(result.paymentIntent, listParam(params, 'expand'));
  if (result.decline) throw declineError(result, rendered);
  return rendered;
}

const captureMethod = (value: string | undefined): PaymentIntentRecord['capture_method'] =>
  value === 'manual' || value === 'automatic' ? value : 'automatic_async';

/** Search results lag behind writes at Stripe; `search_lag_ms` plays that. */
function searchable(state: StandinState, pi: PaymentIntentRecord): boolean {
  return (state.store.searchableAt.get(pi.id) ?? 0) <= Date.now();
}

export const PAYMENT_INTENT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: /^\/v1\/payment_intents$/,
    handler: (state, { params, origin }) => {
      const confirm = booleanParam(params, 'confirm') === true;
      const result = state.paymentIntents.create(
        {
          amount: integerParam(params, 'amount') ?? NaN,
          currency: stringParam(params, 'currency') ?? '',
          metadata: stringMapParam(params, 'metadata') ?? {},
          description: stringParam(params, 'description') ?? null,
          customer: stringParam(params, 'customer') ?? null,
          capture_method: captureMethod(stringParam(params, 'capture_method')),
          confirmation_method:
            stringParam(params, 'confirmation_method') === 'manual' ? 'manual' : 'automatic',
          payment_method: stringParam(params, 'payment_method') ?? null,
          payment_method_types: listParam(params, 'payment_method_types').length
            ? listParam(params, 'payment_method_types')
            : ['card'],
          receipt_email: stringParam(params, 'receipt_email') ?? null,
          setup_future_usage: stringParam(params, 'setup_future_usage') ?? null,
          statement_descriptor: stringParam(params, 'statement_descriptor') ?? null,
          statement_descriptor_suffix: stringParam(params, 'statement_descriptor_suffix') ?? null,
          confirm: confirm ? confirmInput(params) : null,
        },
        origin,
      );
      return answer(state, result, params);
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/payment_intents\/search$/,
    handler: (state, { params }) => {
      const query = parseSearchQuery(stringParam(params, 'query') ?? '');
      const found = [...state.store.paymentIntents.values()]
        .filter((pi) => searchable(state, pi) && matches(query, pi))
        .sort((a, b) => b.created - a.created);
      const limit = Math.min(100, Math.max(1, integerParam(params, 'limit') ?? 10));
      const offset = Number(Buffer.from(stringParam(params, 'page') ?? '', 'base64url').toString() || 0) || 0;
      const page = found.slice(offset, offset + limit);
      const more = found.length > offset + limit;
      return {
        object: 'search_result',
        data: page.map((pi) => state.paymentIntents.render(pi)),
        has_more: more,
        next_page: more ? Buffer.from(String(offset + limit)).toString('base64url') : null,
        url: '/v1/payment_intents/search',
      };
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/payment_intents$/,
    handler: (state, { params }) => {
      const customer = stringParam(params, 'customer');
      const all = [...state.store.paymentIntents.values()]
        .filter((pi) => customer === undefined || pi.customer === customer)
        .sort((a, b) => b.created - a.created)
        .map((pi) => state.paymentIntents.render(pi));
      return listOf('/v1/payment_intents', all, stringParam(params, 'limit'));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/payment_intents/${ID}$`),
    handler: (state, { params }, [id = '']) =>
      state.paymentIntents.render(state.paymentIntents.get(id), listParam(params, 'expand')),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/payment_intents/${ID}$`),
    handler: (state, { params, origin }, [id = '']) => {
      const amount = integerParam(params, 'amount');
      const description = stringParam(params, 'description');
      const metadata = stringMapParam(params, 'metadata');
      const pi = state.paymentIntents.update(
        id,
        {
          ...(amount !== undefined ? { amount } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
        },
        origin,
      );
      return state.paymentIntents.render(pi, listParam(params, 'expand'));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/payment_intents/${ID}/confirm$`),
    handler: (state, { params, origin }, [id = '']) =>
      answer(state, state.paymentIntents.confirm(id, confirmInput(params), origin), params),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/payment_intents/${ID}/capture$`),
    handler: (state, { params, origin }, [id = '']) => {
      const pi = state.paymentIntents.capture(id, integerParam(params, 'amount_to_capture'), origin);
      return state.paymentIntents.render(pi, listParam(params, 'expand'));
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/payment_intents/${ID}/cancel$`),
    handler: (state, { params, origin }, [id = '']) => {
      const reason = stringParam(params, 'cancellation_reason') ?? null;
      if (
        reason !== null &&
        !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(reason)
      ) {
        throw invalidRequest(`Invalid cancellation_reason: ${reason}`, { param: 'cancellation_reason' });
      }
      const pi = state.paymentIntents.cancel(id, reason, origin);
      return state.paymentIntents.render(pi, listParam(params, 'expand'));
    },
  },
];
