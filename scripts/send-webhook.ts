/**
 * npm run webhook -- <event_id> <succeeded|failed|requires_action|processing|canceled>
 * npm run webhook -- <event_id> dispute <created|funds_withdrawn|under_review|won|lost|funds_reinstated|inquiry|inquiry_closed>
 *
 * Does what `stripe trigger` would against real Stripe: builds the payment_intent.* event for the
 * charge's PaymentIntent, or the charge.dispute.* event of a dispute on it, signs it with the local
 * webhook secret and posts it to the receiver. stripe-mock sends no webhooks of its own, so this is
 * how a charge completes (or is disputed) by hand. One dispute per charge: its id derives from the
 * event_id, so successive steps move the same dispute; its evidence is due at the end of the day a
 * week from now.
 */
import { createHash } from 'node:crypto';
import { devEnv } from './dev-env';
import {
  DISPUTE_STEPS,
  disputeEvent,
  paymentIntentEvent,
  signatureFor,
  type DisputeStep,
} from './stripe-events';

const EVENT_TYPES: Record<string, string> = {
  succeeded: 'payment_intent.succeeded',
  failed: 'payment_intent.payment_failed',
  requires_action: 'payment_intent.requires_action',
  processing: 'payment_intent.processing',
  canceled: 'payment_intent.canceled',
};

const USAGE =
  `usage: npm run webhook -- <event_id> <${Object.keys(EVENT_TYPES).join('|')}>\n` +
  `       npm run webhook -- <event_id> dispute <${Object.keys(DISPUTE_STEPS).join('|')}>\n`;

interface Charge {
  readonly payment_intent_id: string | null;
  readonly amount: number;
  readonly currency: string;
}

/** The same dispute for every step on one charge. */
function localDisputeId(eventId: string): string {
  return `du_local_${createHash('sha256').update(eventId).digest('hex').slice(0, 16)}`;
}

function isDisputeStep(step: string | undefined): step is DisputeStep {
  return step !== undefined && Object.hasOwn(DISPUTE_STEPS, step);
}

async function main(): Promise<void> {
  const [eventId, outcome, step] = process.argv.slice(2);
  const type = EVENT_TYPES[outcome ?? ''];
  const dispute = outcome === 'dispute';
  if (!eventId || (!type && !dispute) || (dispute && !isDisputeStep(step))) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const env = devEnv();
  const base = env['PAYMENTS_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`;
  const secret = (env['STRIPE_WEBHOOK_SECRET'] ?? '').split(',')[0] ?? '';

  const res0 = await fetch(`${base}/charges/${encodeURIComponent(eventId)}`, {
    headers: { authorization: `Bearer ${(env['CHARGE_API_TOKEN'] ?? '').split(',')[0]}` },
  });
  if (!res0.ok) throw new Error(`GET /charges/${eventId} answered ${res0.status}: ${await res0.text()}`);
  const charge = (await res0.json()) as Charge;
  const paymentIntentId = charge.payment_intent_id;
  if (!paymentIntentId) throw new Error('the charge has no PaymentIntent yet; try again in a moment');

  let payload: string;
  let what: string;
  if (dispute && isDisputeStep(step)) {
    const now = Math.floor(Date.now() / 1000);
    const disputeId = localDisputeId(eventId);
    payload = disputeEvent({
      ...DISPUTE_STEPS[step],
      disputeId,
      paymentIntentId,
      amount: charge.amount,
      currency: charge.currency,
      created: now,
      dueBy: Math.floor(now / 86_400) * 86_400 + 8 * 86_400 - 1,
    });
    what = `charge.dispute.${DISPUTE_STEPS[step].type} (${DISPUTE_STEPS[step].status}) of ${disputeId}`;
  } else {
    payload = paymentIntentEvent({
      type: type ?? '',
      eventId,
      paymentIntentId,
      status: outcome === 'failed' ? 'requires_payment_method' : outcome,
    });
    what = type ?? '';
  }
  const res = await fetch(`${base}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(payload, secret) },
    body: payload,
  });
  process.stdout.write(`${what} for ${eventId} (${paymentIntentId}) → ${res.status} ${await res.text()}\n`);
  if (!res.ok) process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
