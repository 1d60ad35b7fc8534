/**
 * npm run webhook -- <event_id> <action> [--card pm_…]
 *
 * Plays the customer or the bank for a charge in `npm run dev`. With the local Stripe stand-in (a
 * test tool; STRIPE_API_BASE points at it) it acts through its control API and the stand-in sends
 * the signed webhooks itself, as Stripe would:
 *   succeeded        the customer pays with pm_card_visa (or --card pm_…)
 *   failed           the customer's card is declined (pm_card_chargeDeclined)
 *   requires_action  the customer's card needs 3-D Secure (pm_card_authenticationRequired)
 *   3ds-complete     the customer finishes 3-D Secure; 3ds-fail: fails it
 *   processing       a payment that completes a few seconds later (pm_standin_delayed_success)
 *   canceled         the PaymentIntent is canceled at Stripe (as from the Dashboard)
 *   dispute          the bank opens a dispute on the paid charge
 *   dispute <step>   one step of the charge's dispute, signed here and posted to the receiver, as
 *                    Stripe would send it: created, funds_withdrawn, under_review, won, lost,
 *                    funds_reinstated, inquiry, inquiry_closed (one dispute per charge: its id derives
 *                    from the event_id, so successive steps move the same dispute; its evidence is due
 *                    at the end of the day a week from now)
 *   expire           the bank lets an uncaptured authorization expire
 * Against anything else (stripe-mock) it signs and posts a payment_intent.* event itself, as before,
 * for succeeded, failed, requires_action, processing and canceled.
 */
import { createHash } from 'node:crypto';
import { StandinControl } from '../tools/stripe-standin/control-client';
import { devEnv } from './dev-env';
import {
  DISPUTE_STEPS,
  disputeEvent,
  paymentIntentEvent,
  signatureFor,
  type DisputeStep,
} from './stripe-events';

/** The actions that are the customer confirming with a test card, and that card. */
const CONFIRM_CARDS: Record<string, string> = {
  succeeded: 'pm_card_visa',
  failed: 'pm_card_chargeDeclined',
  requires_action: 'pm_card_authenticationRequired',
  processing: 'pm_standin_delayed_success',
};
const ACTIONS = [...Object.keys(CONFIRM_CARDS), '3ds-complete', '3ds-fail', 'canceled', 'dispute', 'expire'];

const SIGNED_EVENT_TYPES: Record<string, string> = {
  succeeded: 'payment_intent.succeeded',
  failed: 'payment_intent.payment_failed',
  requires_action: 'payment_intent.requires_action',
  processing: 'payment_intent.processing',
  canceled: 'payment_intent.canceled',
};

type Env = Record<string, string | undefined>;

function usage(): never {
  process.stderr.write(
    `usage: npm run webhook -- <event_id> <${ACTIONS.join('|')}> [--card pm_…]\n` +
      `       npm run webhook -- <event_id> dispute <${Object.keys(DISPUTE_STEPS).join('|')}>\n`,
  );
  process.exit(2);
}

/** The same dispute for every step on one charge. */
function localDisputeId(eventId: string): string {
  return `du_local_${createHash('sha256').update(eventId).digest('hex').slice(0, 16)}`;
}

function isDisputeStep(step: string | undefined): step is DisputeStep {
  return step !== undefined && Object.hasOwn(DISPUTE_STEPS, step);
}

/** One step of the charge's dispute, signed here with the local secret and posted to the receiver. */
async function disputeStepSignedLocally(env: Env, eventId: string, step: DisputeStep): Promise<void> {
  const base = env['PAYMENTS_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`;
  const answer = await fetch(`${base}/charges/${encodeURIComponent(eventId)}`, {
    headers: { authorization: `Bearer ${(env['CHARGE_API_TOKEN'] ?? '').split(',')[0]}` },
  });
  if (!answer.ok)
    throw new Error(`GET /charges/${eventId} answered ${answer.status}: ${await answer.text()}`);
  const charge = (await answer.json()) as {
    payment_intent_id: string | null;
    amount: number;
    currency: string;
  };
  if (!charge.payment_intent_id)
    throw new Error('the charge has no PaymentIntent yet; try again in a moment');
  const now = Math.floor(Date.now() / 1000);
  const disputeId = localDisputeId(eventId);
  const payload = disputeEvent({
    ...DISPUTE_STEPS[step],
    disputeId,
    paymentIntentId: charge.payment_intent_id,
    amount: charge.amount,
    currency: charge.currency,
    created: now,
    dueBy: Math.floor(now / 86_400) * 86_400 + 8 * 86_400 - 1,
  });
  const secret = (env['STRIPE_WEBHOOK_SECRET'] ?? '').split(',')[0] ?? '';
  const res = await fetch(`${base}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(payload, secret) },
    body: payload,
  });
  const what = `charge.dispute.${DISPUTE_STEPS[step].type} (${DISPUTE_STEPS[step].status}) of ${disputeId}`;
  process.stdout.write(
    `${what} for ${eventId} (${charge.payment_intent_id}) → ${res.status} ${await res.text()}\n`,
  );
  if (!res.ok) process.exit(1);
}

async function paymentIntentOf(env: Env, eventId: string, standin: StandinControl | null): Promise<string> {
  if (standin) {
    const found = await standin.paymentIntentsFor(eventId);
    const newest = found.sort((a, b) => Number(b['created']) - Number(a['created']))[0];
    if (newest) return newest.id;
  }
  const base = env['PAYMENTS_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`;
  const charge = await fetch(`${base}/charges/${encodeURIComponent(eventId)}`, {
    headers: { authorization: `Bearer ${(env['CHARGE_API_TOKEN'] ?? '').split(',')[0]}` },
  });
  if (!charge.ok)
    throw new Error(`GET /charges/${eventId} answered ${charge.status}: ${await charge.text()}`);
  const { payment_intent_id: id } = (await charge.json()) as { payment_intent_id: string | null };
  if (!id) throw new Error('the charge has no PaymentIntent yet; try again in a moment');
  return id;
}

async function viaStandin(
  env: Env,
  standin: StandinControl,
  id: string,
  action: string,
  card: string | undefined,
) {
  if (action === '3ds-complete' || action === '3ds-fail') {
    return standin.authenticate(id, action === '3ds-complete' ? 'complete' : 'fail');
  }
  if (action === 'dispute') return standin.dispute(id);
  if (action === 'expire') return standin.expireAuthorization(id);
  if (action === 'canceled') {
    const answer = await fetch(`${standin.baseUrl}/v1/payment_intents/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env['STRIPE_KEY'] ?? ''}` },
    });
    if (!answer.ok) throw new Error(`cancel answered ${answer.status}: ${await answer.text()}`);
    return { status: 'canceled' };
  }
  return standin.confirm(id, card ?? CONFIRM_CARDS[action] ?? 'pm_card_visa');
}

async function signedLocally(env: Env, eventId: string, id: string, action: string): Promise<void> {
  const type = SIGNED_EVENT_TYPES[action];
  if (!type) throw new Error(`${action} needs the Stripe stand-in (STRIPE_API_BASE is not one)`);
  const base = env['PAYMENTS_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`;
  const payload = paymentIntentEvent({
    type,
    eventId,
    paymentIntentId: id,
    status: action === 'failed' ? 'requires_payment_method' : action,
  });
  const secret = (env['STRIPE_WEBHOOK_SECRET'] ?? '').split(',')[0] ?? '';
  const res = await fetch(`${base}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(payload, secret) },
    body: payload,
  });
  process.stdout.write(`${type} for ${eventId} (${id}), signed here → ${res.status} ${await res.text()}\n`);
  if (!res.ok) process.exit(1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cardAt = args.indexOf('--card');
  const card = cardAt >= 0 ? args[cardAt + 1] : undefined;
  const [eventId, action, step] = args.filter((_, i) => cardAt < 0 || (i !== cardAt && i !== cardAt + 1));
  if (!eventId || !action || !ACTIONS.includes(action) || (cardAt >= 0 && !card?.startsWith('pm_'))) usage();
  const env = devEnv();
  if (action === 'dispute' && step !== undefined) {
    if (!isDisputeStep(step)) usage();
    return disputeStepSignedLocally(env, eventId, step);
  }
  const base = env['STRIPE_API_BASE'];
  const standin = base && (await StandinControl.isStandin(base)) ? new StandinControl(base) : null;
  const id = await paymentIntentOf(env, eventId, standin);
  if (!standin) return signedLocally(env, eventId, id, action);
  const result = await viaStandin(env, standin, id, action, card);
  const pi = (result as { payment_intent?: { status?: string } }).payment_intent;
  const decline = (result as { decline?: { message?: string } | null }).decline;
  process.stdout.write(
    `${action} for ${eventId} (${id}) at the Stripe stand-in → ${pi?.status ?? (result as { status?: string }).status ?? 'done'}` +
      `${decline?.message ? ` (${decline.message})` : ''}; its webhooks follow\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
