/**
 * A small model of one Stripe PaymentIntent, written from Stripe's docs ("How PaymentIntents work",
 * the PaymentIntent object's `status`, "Cancel a PaymentIntent", the payment_intent.* events), to
 * hold the charge's state machine against in property tests. What it keeps:
 * - statuses: requires_payment_method → (confirm) → requires_action | processing | succeeded, or back
 *   to requires_payment_method with `last_payment_error` on a decline; requires_action → (the
 *   customer authenticates) → processing | succeeded | requires_payment_method; processing →
 *   succeeded | requires_payment_method. succeeded and canceled are final.
 * - a confirmation may come from anyone holding the client_secret (the browser, another client, the
 *   dashboard) whenever the PaymentIntent awaits a payment method: nothing stops it but a cancel.
 * - cancel is allowed in requires_payment_method, requires_confirmation, requires_action and
 *   requires_capture; in processing, succeeded and canceled Stripe refuses it (an invalid request).
 * - money is taken exactly when the status is succeeded.
 * - every change emits its event (payment_intent.succeeded, .payment_failed, .requires_action,
 *   .processing, .canceled) with Stripe's `created` second; delivery order is not promised.
 */
import type { ChargeFailure } from '../../src/contracts/charge';
import type { PaymentEventPayload, PaymentIntentOutcome } from '../../src/contracts/payment-provider';

export type StripePaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'succeeded'
  | 'canceled';

/** What the bank or the customer does with an attempt to pay. */
export type AttemptOutcome = 'succeed' | 'decline' | 'authenticate' | 'process';

export const DECLINE: ChargeFailure = {
  code: 'card_declined',
  message: 'Your card was declined.',
  decline_code: 'generic_decline',
};

export class StripePaymentIntentModel {
  status: StripePaymentIntentStatus = 'requires_payment_method';
  lastPaymentError: ChargeFailure | null = null;
  /** Every event Stripe emitted, in the order it emitted them. */
  readonly emitted: PaymentEventPayload[] = [];
  private eventSeq = 0;

  constructor(
    readonly id: string,
    readonly amount: number,
    readonly currency: string,
    private readonly clockSeconds: () => number,
  ) {}

  get moneyTaken(): boolean {
    return this.status === 'succeeded';
  }

  get final(): boolean {
    return this.status === 'succeeded' || this.status === 'canceled';
  }

  outcome(): PaymentIntentOutcome {
    return {
      id: this.id,
      status: this.status,
      failure: this.lastPaymentError,
      amount: this.amount,
      currency: this.currency,
    };
  }

  /** A confirmation with a payment method (ours at create, or anyone's with the secret later). */
  confirm(outcome: AttemptOutcome): boolean {
    if (this.status !== 'requires_payment_method' && this.status !== 'requires_confirmation') return false;
    this.attempt(outcome);
    return true;
  }

  /** The customer finishes (or fails) 3-D Secure. */
  authenticate(outcome: Exclude<AttemptOutcome, 'authenticate'>): boolean {
    if (this.status !== 'requires_action') return false;
    this.attempt(outcome);
    return true;
  }

  /** A delayed payment method settles. */
  settle(ok: boolean): boolean {
    if (this.status !== 'processing') return false;
    this.attempt(ok ? 'succeed' : 'decline');
    return true;
  }

  /** Stripe's cancel: the PaymentIntent's new state, or a refusal (an invalid request). */
  cancel(): boolean {
    const cancelable: StripePaymentIntentStatus[] = [
      'requires_payment_method',
      'requires_confirmation',
      'requires_action',
    ];
    if (!cancelable.includes(this.status)) return false;
    this.move('canceled', null);
    return true;
  }

  private attempt(outcome: AttemptOutcome): void {
    switch (outcome) {
      case 'succeed':
        return this.move('succeeded', null);
      case 'decline':
        return this.move('requires_payment_method', DECLINE);
      case 'authenticate':
        return this.move('requires_action', null);
      case 'process':
        return this.move('processing', null);
    }
  }

  private move(status: StripePaymentIntentStatus, error: ChargeFailure | null): void {
    this.status = status;
    this.lastPaymentError = error;
    const type =
      status === 'requires_payment_method' ? 'payment_intent.payment_failed' : `payment_intent.${status}`;
    this.eventSeq += 1;
    this.emitted.push({
      stripe_event_id: `evt_${this.id}_${this.eventSeq}`,
      type,
      created: this.clockSeconds(),
      payment_intent_id: this.id,
      payment_intent_status: status,
      failure: error,
      amount: this.amount,
      currency: this.currency,
    });
  }
}
