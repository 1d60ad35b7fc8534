import type { ChargeFailure } from './charge';

/**
 * Failure types that end a charge instead of being retried. Shared by the activity that throws
 * them and the workflow that lists them as non-retryable (which must not import the Stripe SDK).
 */
export const STRIPE_CARD_ERROR = 'StripeCardError';
export const STRIPE_INVALID_REQUEST = 'StripeInvalidRequestError';
export const NON_RETRYABLE_STRIPE_ERRORS: readonly string[] = [STRIPE_CARD_ERROR, STRIPE_INVALID_REQUEST];

/** What a fatal Stripe failure carries to the workflow in `details[0]`. */
export interface StripeFailureDetails {
  readonly failure: ChargeFailure;
  readonly payment_intent_id: string | null;
}
