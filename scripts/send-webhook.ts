/**
 * npm run webhook -- <event_id> <succeeded|failed|requires_action|processing|canceled>
 *
 * Does what `stripe trigger` would against real Stripe: builds the payment_intent.* event for the
 * charge's PaymentIntent, signs it with the local webhook secret and posts it to the receiver.
 * stripe-mock sends no webhooks of its own, so this is how a charge completes by hand.
 */
import { devEnv } from './dev-env';
import { paymentIntentEvent, signatureFor } from './stripe-events';

const EVENT_TYPES: Record<string, string> = {
  succeeded: 'payment_intent.succeeded',
  failed: 'payment_intent.payment_failed',
  requires_action: 'payment_intent.requires_action',
  processing: 'payment_intent.processing',
  canceled: 'payment_intent.canceled',
};

async function main(): Promise<void> {
  const [eventId, outcome] = process.argv.slice(2);
  const type = EVENT_TYPES[outcome ?? ''];
  if (!eventId || !type) {
    process.stderr.write(`usage: npm run webhook -- <event_id> <${Object.keys(EVENT_TYPES).join('|')}>\n`);
    process.exit(2);
  }
  const env = devEnv();
  const base = env['PAYMENTS_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`;
  const secret = (env['STRIPE_WEBHOOK_SECRET'] ?? '').split(',')[0] ?? '';

  const charge = await fetch(`${base}/charges/${encodeURIComponent(eventId)}`, {
    headers: { authorization: `Bearer ${(env['CHARGE_API_TOKEN'] ?? '').split(',')[0]}` },
  });
  if (!charge.ok)
    throw new Error(`GET /charges/${eventId} answered ${charge.status}: ${await charge.text()}`);
  const { payment_intent_id: paymentIntentId } = (await charge.json()) as {
    payment_intent_id: string | null;
  };
  if (!paymentIntentId) throw new Error('the charge has no PaymentIntent yet; try again in a moment');

  const payload = paymentIntentEvent({
    type,
    eventId,
    paymentIntentId,
    status: outcome === 'failed' ? 'requires_payment_method' : outcome,
  });
  const signature = signatureFor(payload, secret);
  const res = await fetch(`${base}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  process.stdout.write(`${type} for ${eventId} (${paymentIntentId}) → ${res.status} ${await res.text()}\n`);
  if (!res.ok) process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
