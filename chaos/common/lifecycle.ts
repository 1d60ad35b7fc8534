/**
 * One charge from the outside: the dispatcher POSTs it (maybe several times), reads it until the
 * PaymentIntent is known, the customer pays it (a charge planned to succeed is confirmed at the
 * stand-in with a test card, so Stripe's state is the one its webhooks report; one planned to fail
 * was declined at the create), Stripe delivers its webhooks, and the dispatcher maybe POSTs it once more.
 * What the answers say is checked on the way: every answer names the same run, at most one is new.
 */
import type { StandinControl } from '../../tools/stripe-standin/control-client';
import type { ChargeAnswer, Dispatcher } from './dispatcher';
import { webhookDeliveries, type ChargePlan } from './plan';
import type { Random } from './random';
import type { StripeSide } from './stripe-side';
import type { Violations } from './violations';

export interface ChargeResult {
  readonly plan: ChargePlan;
  /** The PaymentIntent the charge adopted (from GET /charges/:id), when it got that far. */
  readonly paymentIntentId: string | undefined;
  readonly accepted: boolean;
}

export interface LifecycleDeps {
  readonly dispatcher: Dispatcher;
  readonly stripe: StripeSide;
  /** Stripe's state: where the customer's card is confirmed. */
  readonly standin: StandinControl;
  readonly random: Random;
  readonly violations: Violations;
}

function checkAnswers(plan: ChargePlan, answers: readonly ChargeAnswer[], violations: Violations): void {
  const eventId = plan.body.event_id;
  if (new Set(answers.map((a) => a.runId)).size > 1) {
    violations.add('answers name different runs', answers.map((a) => a.runId).join(','), eventId);
  }
  const fresh = answers.filter((a) => !a.duplicate);
  if (fresh.length > 1) violations.add('more than one 202 for one event id', String(fresh.length), eventId);
  if (answers.some((a) => (a.status === 202) === a.duplicate)) {
    violations.add('status and duplicate flag disagree', JSON.stringify(answers), eventId);
  }
}

export async function runCharge(plan: ChargePlan, deps: LifecycleDeps): Promise<ChargeResult> {
  const { dispatcher, stripe, standin, random, violations } = deps;
  const eventId = plan.body.event_id;
  const first = await Promise.all(
    Array.from({ length: plan.concurrentPosts }, () => dispatcher.postCharge(plan.body)),
  );
  const answers = first.filter((a): a is ChargeAnswer => a !== undefined);
  if (answers.length === 0) return { plan, paymentIntentId: undefined, accepted: false };

  const paymentIntentId = await dispatcher.waitForPaymentIntent(eventId);
  if (paymentIntentId === undefined) return { plan, paymentIntentId, accepted: true };

  if (plan.outcome === 'succeeded') {
    await standin.confirm(paymentIntentId, 'pm_card_visa').catch((err: unknown) => {
      violations.add('the customer could not pay at Stripe', String(err), eventId);
    });
  }
  for (const group of webhookDeliveries(plan, paymentIntentId, random)) {
    await Promise.all(group.map((event) => stripe.deliver(event, eventId)));
  }
  if (plan.repeatPostLater) {
    const repeat = await dispatcher.postCharge(plan.body);
    if (repeat !== undefined) answers.push(repeat);
    if (repeat !== undefined && !repeat.duplicate)
      violations.add('a repeat POST started a charge', '', eventId);
  }
  checkAnswers(plan, answers, violations);
  return { plan, paymentIntentId, accepted: true };
}
