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
 * - manual capture ("Place a hold on a payment method"): a successful attempt stops in
 *   requires_capture (event payment_intent.amount_capturable_updated) holding the amount; a capture
 *   of at most amount_capturable succeeds once (the rest is released), a cancel voids the hold, and
 *   when the authorization expires Stripe cancels the PaymentIntent (payment_intent.canceled).
 */
import type { ChargeFailure } from '../../src/contracts/charge';
import type { PaymentEventPayload, PaymentIntentOutcome } from '../../src/contracts/payment-provider';

export type StripePaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
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
  /** Manual capture: what the hold lets be captured, and what was captured. */
  amountCapturable = 0;
  amountReceived = 0;

  constructor(
    readonly id: string,
    readonly amount: number,
    readonly currency: string,
    private readonly clockSeconds: () => number,
    readonly captureMethod: 'automatic' | 'manual' = 'automatic',
  ) {}

  /** A manual PaymentIntent's hold, as the provider reports it (nothing for automatic ones). */
  private hold() {
    return this.captureMethod === 'manual'
      ? { amount_capturable: this.amountCapturable, amount_received: this.amountReceived }
      : {};
  }

  /** Captures the held amount (at most amount_capturable), once; false is Stripe's refusal. */
  capture(amount: number): boolean {
    if (this.status !== 'requires_capture' || amount < 1 || amount > this.amountCapturable) return false;
    this.amountReceived = amount;
    this.amountCapturable = 0;
    this.move('succeeded', null);
    return true;
  }

  /** The authorization expires: Stripe releases the hold and cancels the PaymentIntent. */
  expireAuthorization(): boolean {
    if (this.status !== 'requires_capture') return false;
    this.amountCapturable = 0;
    this.move('canceled', null);
    return true;
  }

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
      ...this.hold(),
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
      'requires_capture',
    ];
    if (!cancelable.includes(this.status)) return false;
    this.amountCapturable = 0;
    this.move('canceled', null);
    return true;
  }

  private attempt(outcome: AttemptOutcome): void {
    switch (outcome) {
      case 'succeed':
        if (this.captureMethod === 'manual') {
          this.amountCapturable = this.amount;
          return this.move('requires_capture', null);
        }
        this.amountReceived = this.amount;
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
      status === 'requires_payment_method'
        ? 'payment_intent.payment_failed'
        : status === 'requires_capture'
          ? 'payment_intent.amount_capturable_updated'
          : `payment_intent.${status}`;
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
      ...this.hold(),
    });
  }
}
