/**
 * Refunds of a succeeded PaymentIntent's charge, with Stripe's remainder rules: a refund may not
 * exceed what is left (captured minus what earlier refunds took, failed ones excepted); a fully
 * refunded charge refuses any further refund.
 */
import { invalidRequest, resourceMissing } from '../http/stripe-errors';
import type { StandinSettings } from '../settings';
import { testPaymentMethod } from '../test-payment-methods';
import type { EventLog, Origin } from './events';
import { newId, unixSeconds } from './ids';
import type { ChargeRecord, PaymentIntentRecord, RefundRecord } from './model';
import { formatMoney } from './money';
import { renderCharge, renderRefund } from './render';
import type { Scheduler } from './scheduler';
import type { Store } from './store';

export interface RefundInput {
  readonly payment_intent: string | undefined;
  readonly charge: string | undefined;
  readonly amount: number | undefined;
  readonly reason: string | null;
  readonly metadata: Record<string, string>;
}

/** What is left to refund on a charge: captured, minus every refund that has not failed. */
export function refundableRemainder(store: Store, charge: ChargeRecord): number {
  const taken = store
    .refundsOf(charge.payment_intent)
    .filter((r) => r.charge === charge.id && r.status !== 'failed' && r.status !== 'canceled')
    .reduce((sum, r) => sum + r.amount, 0);
  return charge.amount_captured - taken;
}

export class Refunds {
  constructor(
    private readonly deps: {
      readonly store: Store;
      readonly events: EventLog;
      readonly scheduler: Scheduler;
      readonly settings: () => StandinSettings;
    },
  ) {}

  get(id: string): RefundRecord {
    const refund = this.deps.store.refunds.get(id);
    if (!refund) throw resourceMissing('refund', id, 'refund');
    return refund;
  }

  create(input: RefundInput, origin: Origin): RefundRecord {
    const { pi, charge } = this.target(input);
    const remainder = refundableRemainder(this.deps.store, charge);
    if (remainder <= 0) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = input.amount ?? remainder;
    if (!Number.isInteger(amount) || amount < 1) {
      throw invalidRequest('Invalid positive integer', {
        code: 'parameter_invalid_integer',
        param: 'amount',
      });
    }
    if (amount > remainder) {
      throw invalidRequest(
        `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on ` +
          `charge (${formatMoney(remainder, charge.currency)})`,
        { param: 'amount' },
      );
    }
    const refund: RefundRecord = {
      id: newId('re'),
      created: unixSeconds(),
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: pi.id,
      metadata: { ...input.metadata },
      reason: input.reason,
      status: 'succeeded',
      failure_reason: null,
    };
    this.deps.store.refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = refundableRemainder(this.deps.store, charge) === 0;
    this.deps.events.emit('refund.created', renderRefund(refund), origin);
    this.deps.events.emit('charge.refunded', renderCharge(charge), origin);
    if (pi.payment_method && testPaymentMethod(pi.payment_method)?.refundsFail) {
      this.deps.scheduler.schedule('fail_refund', refund.id, this.deps.settings().refund_failure_after_ms);
    }
    return refund;
  }

  /** pm_card_refundFail: the refund was accepted, and the card's bank returns it later. */
  fail(id: string): void {
    const refund = this.deps.store.refunds.get(id);
    if (!refund || refund.status === 'failed') return;
    refund.status = 'failed';
    refund.failure_reason = 'expired_or_canceled_card';
    const charge = this.deps.store.charges.get(refund.charge);
    if (charge) {
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
    }
    const origin = { requestId: null, idempotencyKey: null };
    this.deps.events.emit('refund.updated', renderRefund(refund), origin);
    this.deps.events.emit('refund.failed', renderRefund(refund), origin);
  }

  list(filter: { payment_intent?: string | undefined; charge?: string | undefined }): RefundRecord[] {
    return [...this.deps.store.refunds.values()]
      .filter((r) => filter.payment_intent === undefined || r.payment_intent === filter.payment_intent)
      .filter((r) => filter.charge === undefined || r.charge === filter.charge)
      .sort((a, b) => b.created - a.created);
  }

  private target(input: RefundInput): { pi: PaymentIntentRecord; charge: ChargeRecord } {
    if (input.payment_intent === undefined && input.charge === undefined) {
      throw invalidRequest(
        'One of the following params should be provided for this request: payment_intent or charge.',
      );
    }
    let pi: PaymentIntentRecord | undefined;
    let charge: ChargeRecord | undefined;
    if (input.charge !== undefined) {
      charge = this.deps.store.charges.get(input.charge);
      if (!charge)
        throw invalidRequest(`No such charge: '${input.charge}'`, {
          code: 'resource_missing',
          param: 'charge',
        });
      pi = this.deps.store.paymentIntents.get(charge.payment_intent);
    } else {
      pi = this.deps.store.paymentIntents.get(input.payment_intent ?? '');
      if (!pi) {
        throw invalidRequest(`No such payment_intent: '${input.payment_intent}'`, {
          code: 'resource_missing',
          param: 'payment_intent',
        });
      }
      charge = pi.latest_charge ? this.deps.store.charges.get(pi.latest_charge) : undefined;
    }
    if (!pi || !charge || pi.status !== 'succeeded' || !charge.captured) {
      const which = input.charge ?? input.payment_intent ?? '';
      throw invalidRequest(
        `This ${input.charge ? 'charge' : 'PaymentIntent'} (${which}) does not have a successful charge to refund.`,
        { code: 'charge_not_refundable', param: input.charge ? 'charge' : 'payment_intent' },
      );
    }
    return { pi, charge };
  }
}
