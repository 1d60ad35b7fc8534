/**
 * The charge's "current details" for the Temporal Web UI (setCurrentDetails): what an operator looking
 * at a running charge needs to know: its status, its PaymentIntent, what it is doing or waiting for,
 * and when it acts next. Markdown, as the UI renders it. Pure: the workflow passes its clock.
 * Never carries the client_secret or next_action (the workflow never has either).
 */
import type { ChargeStatus } from '../contracts/charge';

export type ChargeActivity =
  | { readonly kind: 'creating' }
  | { readonly kind: 'reconciling'; readonly why: 'no_webhook' | 'other_money' }
  | { readonly kind: 'canceling'; readonly code: string }
  | { readonly kind: 'capturing'; readonly amount: number }
  | { readonly kind: 'publishing'; readonly topic: string }
  | { readonly kind: 'ended'; readonly topic: string }
  | {
      readonly kind: 'waiting';
      /** Workflow time (ms) of the next look at Stripe when no webhook comes. */
      readonly checkAt: number;
      /** Workflow time (ms) at which the charge is canceled if still open; undefined after a refused cancel. */
      readonly cancelAt: number | undefined;
      /** Stripe refused to cancel a PaymentIntent still moving: only its outcome ends the charge. */
      readonly cancelRefused: boolean;
    };

export interface ChargeDetailsInput {
  readonly status: ChargeStatus;
  readonly paymentIntentId: string | null;
  /** The caller gave a payment method, so the PaymentIntent was confirmed here, not by the customer. */
  readonly confirmedHere: boolean;
  readonly activity: ChargeActivity;
}

const at = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function waitingFor(input: ChargeDetailsInput): string {
  switch (input.status) {
    case 'requires_action':
      return "the customer to complete the authentication their bank asked for (the PaymentIntent's next_action, e.g. 3-D Secure), then Stripe's webhook";
    case 'processing':
      return "Stripe's webhook with the outcome (the payment is processing)";
    case 'authorized':
      return 'the capture (POST /charges/{event_id}/capture) or a cancel that voids the hold; the card is authorized and the money held';
    case 'requires_payment_method':
      return "the customer to try another payment method in the storefront (the last one was declined), then Stripe's webhook";
    case 'pending':
      return input.confirmedHere
        ? "Stripe's webhook with the outcome"
        : "the customer to pay in the storefront (Stripe.js confirms the PaymentIntent with its client_secret, which GET /charges/:event_id answers from this workflow), then Stripe's webhook";
    default:
      return 'nothing: the charge is final';
  }
}

function doing(activity: Exclude<ChargeActivity, { kind: 'waiting' }>): string {
  switch (activity.kind) {
    case 'creating':
      return 'creating the Stripe PaymentIntent (Temporal retries the call until Stripe answers)';
    case 'reconciling':
      return activity.why === 'other_money'
        ? 'asking Stripe for the PaymentIntent: a webhook spoke of other money than the charge asked'
        : 'asking Stripe for the PaymentIntent: no webhook with the outcome came';
    case 'canceling':
      return `canceling the PaymentIntent at Stripe (${activity.code})`;
    case 'capturing':
      return `capturing ${activity.amount} (minor units) of the hold at Stripe`;
    case 'publishing':
      return `publishing the outcome to ${activity.topic}`;
    case 'ended':
      return `nothing: the outcome was published to ${activity.topic}`;
  }
}

export function chargeDetails(input: ChargeDetailsInput): string {
  const lines = [
    `- **Status:** ${input.status}`,
    `- **PaymentIntent:** ${input.paymentIntentId ?? 'not created yet'}`,
  ];
  const { activity } = input;
  if (activity.kind !== 'waiting') {
    lines.push(`- **Doing:** ${doing(activity)}`);
    return lines.join('\n');
  }
  lines.push(`- **Waiting for:** ${waitingFor(input)}`);
  if (activity.cancelRefused) {
    lines.push(
      `- **Next:** Stripe refused to cancel the PaymentIntent while it was still moving; asks Stripe at ${at(activity.checkAt)} unless a webhook comes first`,
    );
  } else if (input.status === 'authorized' && activity.cancelAt !== undefined) {
    lines.push(
      `- **Next:** the hold is acted on (voided, or captured if so configured) at ${at(activity.cancelAt)}, before the authorization expires; asks Stripe at ${at(activity.checkAt)} unless a webhook comes first`,
    );
  } else if (activity.cancelAt !== undefined && activity.cancelAt <= activity.checkAt) {
    lines.push(`- **Next:** canceled at ${at(activity.cancelAt)} unless it moves before`);
  } else {
    lines.push(
      `- **Next:** asks Stripe at ${at(activity.checkAt)} unless a webhook comes first` +
        (activity.cancelAt !== undefined ? `; canceled at ${at(activity.cancelAt)} if still open` : ''),
    );
  }
  return lines.join('\n');
}
