import {
  ProviderUnavailableError,
  type CustomerView,
  type PaymentIntentViews,
} from '../../src/contracts/payment-provider';

/** A stand-in for the provider's PaymentIntent reads, for API tests: what it was asked, what it answers. */
export class FakeCustomerViews implements PaymentIntentViews {
  /** Every read, in order. */
  readonly reads: Array<{ paymentIntentId: string; chargeStatus: string }> = [];
  /** The next_action answered per PaymentIntent (null unless a test sets one). */
  readonly nextActions = new Map<string, Record<string, unknown>>();
  /** Set to play a provider that cannot be asked (network, 5xx, 429). */
  unavailable = false;

  static secretOf(paymentIntentId: string): string {
    return `${paymentIntentId}_secret_fakeFAKEfake`;
  }

  async customerView(paymentIntentId: string, chargeStatus: string): Promise<CustomerView> {
    this.reads.push({ paymentIntentId, chargeStatus });
    if (this.unavailable) throw new ProviderUnavailableError('Stripe could not be asked: injected', 7);
    return {
      client_secret: FakeCustomerViews.secretOf(paymentIntentId),
      next_action: this.nextActions.get(paymentIntentId) ?? null,
    };
  }
}
