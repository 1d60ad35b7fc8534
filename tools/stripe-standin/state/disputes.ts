/**
 * Disputes a bank opens on a captured charge (told by the control API, or by Stripe's dispute test
 * cards shortly after their payment), and their close as won or lost.
 */
import { invalidRequest, resourceMissing } from '../http/stripe-errors';
import { testPaymentMethod } from '../test-payment-methods';
import type { EventLog, Origin } from './events';
import { NO_REQUEST } from './events';
import { newId, unixSeconds } from './ids';
import type { DisputeRecord } from './model';
import { renderDispute } from './render';
import type { Store } from './store';

export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

export class Disputes {
  constructor(private readonly deps: { readonly store: Store; readonly events: EventLog }) {}

  get(id: string): DisputeRecord {
    const dispute = this.deps.store.disputes.get(id);
    if (!dispute) throw resourceMissing('dispute', id, 'dispute');
    return dispute;
  }

  open(
    chargeId: string,
    options: { reason?: string | undefined; amount?: number | undefined; inquiry?: boolean | undefined },
    origin: Origin,
  ): DisputeRecord {
    const charge = this.deps.store.charges.get(chargeId);
    if (!charge) throw resourceMissing('charge', chargeId, 'charge');
    if (!charge.captured || charge.status !== 'succeeded') {
      throw invalidRequest(`Charge ${chargeId} has not been captured: there is nothing to dispute.`);
    }
    if (charge.disputed) throw invalidRequest(`Charge ${chargeId} has already been disputed.`);
    const reason = options.reason ?? 'fraudulent';
    if (!(DISPUTE_REASONS as readonly string[]).includes(reason)) {
      throw invalidRequest(`reason: must be one of ${DISPUTE_REASONS.join(', ')}`, { param: 'reason' });
    }
    const amount = options.amount ?? charge.amount_captured;
    if (!Number.isInteger(amount) || amount < 1 || amount > charge.amount_captured) {
      throw invalidRequest(`amount: must be a whole number from 1 to ${charge.amount_captured}`, {
        param: 'amount',
      });
    }
    const dispute: DisputeRecord = {
      id: newId('dp'),
      created: unixSeconds(),
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      reason,
      status: options.inquiry ? 'warning_needs_response' : 'needs_response',
    };
    this.deps.store.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    this.deps.events.emit('charge.dispute.created', renderDispute(dispute), origin);
    if (!options.inquiry)
      this.deps.events.emit('charge.dispute.funds_withdrawn', renderDispute(dispute), origin);
    return dispute;
  }

  /** Scheduled after a payment with one of Stripe's dispute test cards. */
  openFromTestCard(chargeId: string): void {
    const charge = this.deps.store.charges.get(chargeId);
    const card = charge ? testPaymentMethod(charge.payment_method)?.dispute : undefined;
    if (!charge || !card || charge.disputed) return;
    this.open(chargeId, { reason: card.reason, inquiry: card.inquiry }, NO_REQUEST);
  }

  close(id: string, outcome: 'won' | 'lost', origin: Origin): DisputeRecord {
    const dispute = this.get(id);
    if (dispute.status === 'won' || dispute.status === 'lost') {
      throw invalidRequest(`Dispute ${id} is already closed (${dispute.status}).`);
    }
    const withdrawn = dispute.status !== 'warning_needs_response';
    dispute.status = outcome;
    this.deps.events.emit('charge.dispute.closed', renderDispute(dispute), origin);
    if (outcome === 'won' && withdrawn) {
      this.deps.events.emit('charge.dispute.funds_reinstated', renderDispute(dispute), origin);
    }
    return dispute;
  }
}
