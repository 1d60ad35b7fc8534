/**
 * Stripe's documented test PaymentMethods (docs.stripe.com/testing) and what a confirmation with
 * each does, plus two of the stand-in's own for a payment that completes later (cards never enter
 * `processing` at Stripe; bank debits do, and their test accounts are not modelled here). Any other
 * `pm_…` is unknown, as it would be at Stripe.
 */

/** A decline, as Stripe reports it in `last_payment_error` and the 402 answer. */
export interface Decline {
  readonly code: string;
  readonly decline_code?: string;
  readonly message: string;
}

export type ConfirmOutcome =
  | { readonly kind: 'succeed' }
  | { readonly kind: 'decline'; readonly decline: Decline }
  /** 3-D Secure: on-session the customer authenticates, then `after`; off-session Stripe declines. */
  | { readonly kind: 'authenticate'; readonly after: ConfirmOutcome }
  /** `processing` now, then the outcome after the stand-in's processing delay. */
  | { readonly kind: 'processing'; readonly after: ConfirmOutcome };

export interface TestPaymentMethod {
  readonly id: string;
  readonly brand: string;
  readonly last4: string;
  readonly outcome: ConfirmOutcome;
  /** A dispute the bank opens soon after the payment succeeds. */
  readonly dispute?: { readonly reason: string; readonly inquiry: boolean };
  /** Refunds of this card are accepted, then fail later (Stripe's asynchronous refund failure). */
  readonly refundsFail?: boolean;
  /** Not one of Stripe's: the stand-in's own, for a payment that completes after a delay. */
  readonly standinOnly?: boolean;
}

const SUCCEED: ConfirmOutcome = { kind: 'succeed' };

const declined = (decline_code: string, message = 'Your card was declined.'): ConfirmOutcome => ({
  kind: 'decline',
  decline: { code: 'card_declined', decline_code, message },
});

/** What Stripe answers when a card that needs 3-D Secure is charged off-session. */
export const AUTHENTICATION_REQUIRED: Decline = {
  code: 'authentication_required',
  decline_code: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/** The customer failed or abandoned 3-D Secure. */
export const AUTHENTICATION_FAILED: Decline = {
  code: 'payment_intent_authentication_failure',
  message:
    'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
};

const card = (id: string, brand: string, last4: string, rest: Partial<TestPaymentMethod> = {}) => ({
  id,
  brand,
  last4,
  outcome: SUCCEED,
  ...rest,
});

const TABLE: readonly TestPaymentMethod[] = [
  card('pm_card_visa', 'visa', '4242'),
  card('pm_card_visa_debit', 'visa', '5556'),
  card('pm_card_mastercard', 'mastercard', '4444'),
  card('pm_card_mastercard_debit', 'mastercard', '8210'),
  card('pm_card_mastercard_prepaid', 'mastercard', '5100'),
  card('pm_card_amex', 'amex', '0005'),
  card('pm_card_discover', 'discover', '1117'),
  card('pm_card_diners', 'diners', '0004'),
  card('pm_card_jcb', 'jcb', '0505'),
  card('pm_card_unionpay', 'unionpay', '0005'),
  card('pm_card_chargeDeclined', 'visa', '0002', { outcome: declined('generic_decline') }),
  card('pm_card_chargeDeclinedInsufficientFunds', 'visa', '9995', {
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  }),
  card('pm_card_chargeDeclinedLostCard', 'visa', '9987', { outcome: declined('lost_card') }),
  card('pm_card_chargeDeclinedStolenCard', 'visa', '9979', { outcome: declined('stolen_card') }),
  card('pm_card_chargeDeclinedFraudulent', 'visa', '0019', { outcome: declined('fraudulent') }),
  card('pm_card_chargeDeclinedExpiredCard', 'visa', '0069', {
    outcome: { kind: 'decline', decline: { code: 'expired_card', message: 'Your card has expired.' } },
  }),
  card('pm_card_chargeDeclinedIncorrectCvc', 'visa', '0127', {
    outcome: {
      kind: 'decline',
      decline: { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
    },
  }),
  card('pm_card_chargeDeclinedProcessingError', 'visa', '0119', {
    outcome: {
      kind: 'decline',
      decline: {
        code: 'processing_error',
        message: 'An error occurred while processing your card. Try again in a little bit.',
      },
    },
  }),
  card('pm_card_authenticationRequired', 'visa', '3184', {
    outcome: { kind: 'authenticate', after: SUCCEED },
  }),
  card('pm_card_threeDSecure2Required', 'visa', '3220', {
    outcome: { kind: 'authenticate', after: SUCCEED },
  }),
  card('pm_card_authenticationRequiredOnSetup', 'visa', '3155', {
    outcome: { kind: 'authenticate', after: SUCCEED },
  }),
  card('pm_card_authenticationRequiredChargeDeclinedInsufficientFunds', 'visa', '3178', {
    outcome: {
      kind: 'authenticate',
      after: declined('insufficient_funds', 'Your card has insufficient funds.'),
    },
  }),
  card('pm_card_createDispute', 'visa', '0259', { dispute: { reason: 'fraudulent', inquiry: false } }),
  card('pm_card_createDisputeProductNotReceived', 'visa', '2685', {
    dispute: { reason: 'product_not_received', inquiry: false },
  }),
  card('pm_card_createDisputeInquiry', 'visa', '1976', { dispute: { reason: 'fraudulent', inquiry: true } }),
  card('pm_card_refundFail', 'visa', '5126', { refundsFail: true }),
  card('pm_standin_delayed_success', 'visa', '0001', {
    outcome: { kind: 'processing', after: SUCCEED },
    standinOnly: true,
  }),
  card('pm_standin_delayed_failure', 'visa', '0002', {
    outcome: { kind: 'processing', after: declined('generic_decline') },
    standinOnly: true,
  }),
];

const BY_ID = new Map(TABLE.map((pm) => [pm.id, pm]));

export function testPaymentMethod(id: string): TestPaymentMethod | undefined {
  return BY_ID.get(id);
}

export function testPaymentMethods(): readonly TestPaymentMethod[] {
  return TABLE;
}
