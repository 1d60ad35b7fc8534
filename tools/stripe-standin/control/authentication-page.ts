/**
 * The page a 3-D Secure `next_action` leads to, standing in for the bank's: two buttons, complete or
 * fail. After a redirect-based confirmation it sends the customer back to the return_url with the
 * query Stripe adds (payment_intent, payment_intent_client_secret, redirect_status).
 */
import type { StandinState } from '../api/context';
import { NO_REQUEST } from '../state/events';

export interface PageAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const html = (status: number, title: string, inner: string): PageAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body:
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>` +
    `<p><strong>stripe-standin</strong> — a local test tool, not your bank and not Stripe.</p>${inner}</body></html>`,
});

export function authenticationPage(
  state: StandinState,
  id: string,
  method: string,
  form: URLSearchParams,
): PageAnswer {
  const pi = state.store.paymentIntents.get(id);
  if (!pi) return html(404, 'Unknown payment', `<p>No PaymentIntent ${escape(id)} here.</p>`);
  if (method === 'GET') {
    if (pi.status !== 'requires_action') {
      return html(
        409,
        '3-D Secure',
        `<p>${escape(id)} is ${escape(pi.status)}: there is nothing to authenticate.</p>`,
      );
    }
    const button = (result: string, label: string) =>
      `<form method="post"><input type="hidden" name="result" value="${result}"><button>${label}</button></form>`;
    return html(
      200,
      '3-D Secure test page',
      `<h1>3-D Secure test payment</h1><p>${escape(pi.currency.toUpperCase())} ${pi.amount} (minor units), ${escape(id)}</p>` +
        button('complete', 'Complete authentication') +
        button('fail', 'Fail authentication'),
    );
  }
  const result = form.get('result') === 'complete' ? 'complete' : 'fail';
  if (pi.status === 'requires_action') state.paymentIntents.authenticate(id, result, NO_REQUEST);
  const after = state.store.paymentIntents.get(id) ?? pi;
  if (pi.return_url) {
    const back = new URL(pi.return_url);
    back.searchParams.set('payment_intent', id);
    back.searchParams.set('payment_intent_client_secret', pi.client_secret);
    back.searchParams.set(
      'redirect_status',
      after.status === 'succeeded' || after.status === 'processing' ? 'succeeded' : 'failed',
    );
    return { status: 303, headers: { location: back.toString() }, body: '' };
  }
  return html(
    200,
    '3-D Secure done',
    `<p>${escape(id)} is now ${escape(after.status)}. You can close this page.</p>`,
  );
}
