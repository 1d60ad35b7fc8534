/**
 * What each charge of a run will go through, decided up front from a seed: its payload, the outcome
 * Stripe will report, whether the dispatcher repeats the POST (concurrently, or later), and whether
 * Stripe delivers its webhooks duplicated and out of order.
 */
import type { ChargeBody } from './dispatcher';
import type { Random } from './random';
import { paymentIntentStripeEvent, type FinalOutcome, type StripeEvent } from './stripe-side';

export interface LoadShares {
  /** Charges whose POST is repeated (half of them concurrently, half after the webhooks). */
  readonly duplicatePosts: number;
  /** Charges whose webhooks are duplicated and re-ordered. */
  readonly messyWebhooks: number;
  /** Charges Stripe declines (payment_intent.payment_failed). */
  readonly failed: number;
}

export interface ChargePlan {
  readonly index: number;
  readonly body: ChargeBody;
  readonly outcome: FinalOutcome;
  /** Identical POSTs sent at once (1 = no concurrent duplicate). */
  readonly concurrentPosts: number;
  /** One more identical POST after Stripe's webhooks were delivered. */
  readonly repeatPostLater: boolean;
  readonly messyWebhooks: boolean;
}

const CURRENCIES = ['usd', 'EUR', 'gbp', 'JPY', 'chf'] as const;

export function planCharges(count: number, runId: string, random: Random, shares: LoadShares): ChargePlan[] {
  return Array.from({ length: count }, (_, index) => {
    const duplicated = random.chance(shares.duplicatePosts);
    const concurrent = duplicated && random.chance(0.5);
    const outcome = random.chance(shares.failed) ? 'failed' : 'succeeded';
    return {
      index,
      body: {
        event_id: `chaos-${runId}-${index}`,
        order_id: `order-chaos-${runId}-${index}`,
        amount: random.int(50, 250_000),
        currency: random.pick(CURRENCIES),
        // A browser checkout's decline leaves the charge open for another card: a charge planned to
        // fail is confirmed server-side, whose decline ends it (after its PaymentIntent is canceled).
        ...(outcome === 'failed' ? { payment_method: 'pm_card_chargeDeclined' } : {}),
      },
      outcome,
      concurrentPosts: concurrent ? random.int(2, 4) : 1,
      repeatPostLater: duplicated && !concurrent,
      messyWebhooks: random.chance(shares.messyWebhooks),
    };
  });
}

/** Extra identical POSTs a plan sends beyond the first. */
export function duplicatePostsOf(plan: ChargePlan): number {
  return plan.concurrentPosts - 1 + (plan.repeatPostLater ? 1 : 0);
}

/**
 * Stripe's deliveries for one charge, as groups: the events of a group are delivered concurrently,
 * the groups one after another. A tidy charge gets its final event once. A messy one gets an older
 * `processing` event and the final event, each possibly twice, shuffled, some at the same time; the
 * final event is the newest (by `created`), so the outcome is the plan's whatever the order.
 */
export function webhookDeliveries(
  plan: ChargePlan,
  paymentIntentId: string,
  random: Random,
): StripeEvent[][] {
  const created = Math.floor(Date.now() / 1000);
  const final = paymentIntentStripeEvent({
    stripeEventId: `evt_${plan.body.event_id}_final`,
    eventId: plan.body.event_id,
    paymentIntentId,
    kind: plan.outcome,
    created,
  });
  if (!plan.messyWebhooks) return [[final]];
  const processing = paymentIntentStripeEvent({
    stripeEventId: `evt_${plan.body.event_id}_processing`,
    eventId: plan.body.event_id,
    paymentIntentId,
    kind: 'processing',
    created: created - 1,
  });
  const sends = random.shuffle([final, final, processing, ...(random.chance(0.5) ? [processing] : [])]);
  const groups: StripeEvent[][] = [];
  for (const event of sends) {
    const last = groups[groups.length - 1];
    if (last && random.chance(0.35)) last.push(event);
    else groups.push([event]);
  }
  return groups;
}
