/**
 * PaymentIntents and their charges, moved through Stripe's lifecycle as Stripe moves them: created
 * in requires_payment_method, confirmed with a test payment method (succeeded, declined back to
 * requires_payment_method, requires_action for 3-D Secure, processing for a delayed one, or
 * requires_capture with capture_method=manual), captured, canceled, their authorization expired.
 * Each change records Stripe's events for it.
 */
import {
  cardError,
  invalidRequest,
  resourceMissing,
  unexpectedState,
  type StripeApiError,
} from '../http/stripe-errors';
import type { StandinSettings } from '../settings';
import {
  AUTHENTICATION_FAILED,
  AUTHENTICATION_REQUIRED,
  testPaymentMethod,
  type ConfirmOutcome,
  type Decline,
} from '../test-payment-methods';
import type { EventLog, Origin } from './events';
import { newClientSecret, newId, unixSeconds } from './ids';
import type { ChargeRecord, PaymentIntentRecord, PaymentIntentStatus } from './model';
import { renderCharge, renderPaymentIntent } from './render';
import type { Scheduler } from './scheduler';
import type { Store } from './store';

export interface PaymentIntentsDeps {
  readonly store: Store;
  readonly events: EventLog;
  readonly scheduler: Scheduler;
  readonly settings: () => StandinSettings;
  /** The page where the customer finishes 3-D Secure for this PaymentIntent (served by the stand-in). */
  readonly authenticationUrl: (pi: PaymentIntentRecord) => string;
}

export interface CreateInput {
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Record<string, string>;
  readonly description: string | null;
  readonly customer: string | null;
  readonly capture_method: PaymentIntentRecord['capture_method'];
  readonly confirmation_method: PaymentIntentRecord['confirmation_method'];
  readonly payment_method: string | null;
  readonly payment_method_types: string[];
  readonly receipt_email: string | null;
  readonly setup_future_usage: string | null;
  readonly statement_descriptor: string | null;
  readonly statement_descriptor_suffix: string | null;
  /** confirm=true: confirm in the same call. */
  readonly confirm: ConfirmInput | null;
}

export interface ConfirmInput {
  readonly payment_method: string | null;
  /** The customer is not present (a merchant-initiated charge): 3-D Secure cannot happen. */
  readonly off_session: boolean;
  readonly return_url: string | null;
}

/** How a confirmation went: a decline is an answer of its own (402 on the API, a message in a browser). */
export interface ConfirmResult {
  readonly paymentIntent: PaymentIntentRecord;
  readonly decline: (Decline & { readonly charge: string | undefined }) | null;
}

const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

export const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];

export class PaymentIntents {
  constructor(private readonly deps: PaymentIntentsDeps) {}

  get(id: string): PaymentIntentRecord {
    const pi = this.deps.store.paymentIntents.get(id);
    if (!pi) throw resourceMissing('payment_intent', id, 'intent');
    return pi;
  }

  render(pi: PaymentIntentRecord, expand: readonly string[] = []): Record<string, unknown> {
    const charge = pi.latest_charge ? this.deps.store.charges.get(pi.latest_charge) : undefined;
    const expanded = expand.includes('latest_charge') && charge ? renderCharge(charge) : undefined;
    return renderPaymentIntent(pi, expanded);
  }

  create(input: CreateInput, origin: Origin): ConfirmResult {
    if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > 99_999_999) {
      throw invalidRequest('This value must be greater than or equal to 1.', {
        code: 'parameter_invalid_integer',
        param: 'amount',
      });
    }
    if (input.confirm && (input.confirm.payment_method ?? input.payment_method) === null) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the " +
          'PaymentIntent, specify a payment method.',
      );
    }
    if (input.confirm) this.knownPaymentMethod(input.confirm.payment_method ?? input.payment_method ?? '');
    const id = newId('pi');
    const pi: PaymentIntentRecord = {
      id,
      created: unixSeconds(),
      amount: input.amount,
      currency: input.currency.toLowerCase(),
      metadata: { ...input.metadata },
      description: input.description,
      customer: input.customer,
      capture_method: input.capture_method,
      confirmation_method: input.confirmation_method,
      payment_method: input.payment_method,
      payment_method_types: input.payment_method_types,
      status: input.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      client_secret: newClientSecret(id),
      next_action: null,
      last_payment_error: null,
      latest_charge: null,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      receipt_email: input.receipt_email,
      setup_future_usage: input.setup_future_usage,
      statement_descriptor: input.statement_descriptor,
      statement_descriptor_suffix: input.statement_descriptor_suffix,
      return_url: null,
      authenticating: null,
    };
    this.deps.store.paymentIntents.set(id, pi);
    this.deps.store.searchableAt.set(id, Date.now() + this.deps.settings().search_lag_ms);
    this.deps.events.emit('payment_intent.created', this.render(pi), origin);
    if (input.confirm === null) return { paymentIntent: pi, decline: null };
    return this.confirm(id, input.confirm, origin);
  }

  /** Updates what may change before payment (metadata, description, amount while unconfirmed). */
  update(
    id: string,
    input: { metadata?: Record<string, string>; description?: string; amount?: number },
    origin: Origin,
  ): PaymentIntentRecord {
    const pi = this.get(id);
    if (input.amount !== undefined) {
      if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
        throw unexpectedState(
          `You cannot update this PaymentIntent's amount because it has a status of ${pi.status}.`,
          this.render(pi),
        );
      }
      pi.amount = input.amount;
    }
    if (input.metadata !== undefined) {
      // Stripe merges metadata; an empty value removes the key.
      const merged = { ...pi.metadata, ...input.metadata };
      pi.metadata = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== ''));
    }
    if (input.description !== undefined) pi.description = input.description;
    this.deps.events.emit('payment_intent.updated', this.render(pi), origin);
    return pi;
  }

  /**
   * Confirms with a test payment method, by the merchant's server (the API) or by the customer's
   * browser (the control API, which plays Stripe.js). `off_session` is the merchant charging a
   * customer who is not there: a card that needs 3-D Secure is then declined, as at Stripe.
   */
  confirm(id: string, input: ConfirmInput, origin: Origin): ConfirmResult {
    const pi = this.get(id);
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`,
        this.render(pi),
      );
    }
    const paymentMethod = input.payment_method ?? pi.payment_method;
    if (paymentMethod === null) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the " +
          'PaymentIntent, specify a payment method.',
        this.render(pi),
      );
    }
    const known = this.knownPaymentMethod(paymentMethod);
    pi.payment_method = paymentMethod;
    pi.last_payment_error = null;
    pi.next_action = null;
    pi.return_url = input.return_url;
    return this.apply(pi, known.outcome, input.off_session, origin);
  }

  /** The customer finished 3-D Secure (`complete`), failed it (`fail`), or walked away (`abandon`). */
  authenticate(id: string, result: 'complete' | 'fail' | 'abandon', origin: Origin): ConfirmResult {
    const pi = this.get(id);
    if (pi.status !== 'requires_action' || pi.authenticating === null) {
      throw unexpectedState(
        `This PaymentIntent has no authentication to finish: its status is ${pi.status}.`,
        this.render(pi),
      );
    }
    // Walking away changes nothing at Stripe: the PaymentIntent waits in requires_action until it
    // is canceled (the service's requires_action window) or confirmed again.
    if (result === 'abandon') return { paymentIntent: pi, decline: null };
    const known = this.knownPaymentMethod(pi.authenticating);
    pi.authenticating = null;
    pi.next_action = null;
    if (result === 'fail') {
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        type: 'invalid_request_error',
        ...AUTHENTICATION_FAILED,
        payment_method: known.id,
      };
      this.deps.events.emit('payment_intent.payment_failed', this.render(pi), origin);
      return { paymentIntent: pi, decline: { ...AUTHENTICATION_FAILED, charge: undefined } };
    }
    const after = known.outcome.kind === 'authenticate' ? known.outcome.after : known.outcome;
    return this.apply(pi, after, false, origin);
  }

  /** Runs when a processing payment's delay is over (scheduled by apply). */
  finishProcessing(id: string): void {
    const pi = this.deps.store.paymentIntents.get(id);
    if (!pi || pi.status !== 'processing' || pi.payment_method === null) return;
    const known = testPaymentMethod(pi.payment_method);
    const after = known?.outcome.kind === 'processing' ? known.outcome.after : { kind: 'succeed' as const };
    const charge = pi.latest_charge ? this.deps.store.charges.get(pi.latest_charge) : undefined;
    this.settle(pi, after, charge, { requestId: null, idempotencyKey: null });
  }

  capture(id: string, amountToCapture: number | undefined, origin: Origin): PaymentIntentRecord {
    const pi = this.get(id);
    if (pi.status !== 'requires_capture') {
      throw unexpectedState(
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a ` +
          'PaymentIntent with one of the following statuses may be captured: requires_capture.',
        this.render(pi),
      );
    }
    const amount = amountToCapture ?? pi.amount_capturable;
    if (!Number.isInteger(amount) || amount < 1) {
      throw invalidRequest('This value must be greater than or equal to 1.', {
        code: 'parameter_invalid_integer',
        param: 'amount_to_capture',
      });
    }
    if (amount > pi.amount_capturable) {
      throw invalidRequest(
        `The amount to capture (${amount}) must be less than or equal to the PaymentIntent's ` +
          `amount_capturable (${pi.amount_capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' },
      );
    }
    const charge = this.chargeOf(pi);
    charge.captured = true;
    charge.amount_captured = amount;
    // What was authorized but not captured is released: Stripe shows it refunded on the charge.
    charge.amount_refunded += pi.amount - amount;
    pi.status = 'succeeded';
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    this.deps.events.emit('charge.captured', renderCharge(charge), origin);
    this.deps.events.emit('payment_intent.succeeded', this.render(pi), origin);
    this.scheduleDispute(pi, charge);
    return pi;
  }

  cancel(id: string, reason: string | null, origin: Origin): PaymentIntentRecord {
    const pi = this.get(id);
    if (!CANCELABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent ` +
          `with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        this.render(pi),
      );
    }
    this.release(pi, reason, origin);
    return pi;
  }

  /** The bank let an uncaptured authorization lapse (7 days for most cards): Stripe cancels it. */
  expireAuthorization(id: string, origin: Origin): PaymentIntentRecord {
    const pi = this.get(id);
    if (pi.status !== 'requires_capture') {
      throw unexpectedState(
        `Only an authorized, uncaptured PaymentIntent (requires_capture) can expire; this one is ${pi.status}.`,
        this.render(pi),
      );
    }
    const charge = this.chargeOf(pi);
    this.deps.events.emit('charge.expired', renderCharge({ ...charge, refunded: true }), origin);
    this.release(pi, 'automatic', origin);
    return pi;
  }

  private release(pi: PaymentIntentRecord, reason: string | null, origin: Origin): void {
    const charge = pi.latest_charge ? this.deps.store.charges.get(pi.latest_charge) : undefined;
    if (charge && pi.status === 'requires_capture') {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
      if (reason !== 'automatic') this.deps.events.emit('charge.refunded', renderCharge(charge), origin);
    }
    if (charge && pi.status === 'processing') {
      charge.status = 'failed';
      charge.paid = false;
    }
    pi.status = 'canceled';
    pi.canceled_at = unixSeconds();
    pi.cancellation_reason = reason;
    pi.amount_capturable = 0;
    pi.next_action = null;
    pi.authenticating = null;
    this.deps.events.emit('payment_intent.canceled', this.render(pi), origin);
  }

  private knownPaymentMethod(id: string) {
    const known = testPaymentMethod(id);
    if (!known) {
      throw invalidRequest(`No such PaymentMethod: '${id}'`, {
        code: 'resource_missing',
        param: 'payment_method',
      });
    }
    return known;
  }

  private chargeOf(pi: PaymentIntentRecord): ChargeRecord {
    const charge = pi.latest_charge ? this.deps.store.charges.get(pi.latest_charge) : undefined;
    if (!charge) throw new Error(`stand-in invariant: ${pi.id} in ${pi.status} has no charge`);
    return charge;
  }

  private newCharge(
    pi: PaymentIntentRecord,
    status: ChargeRecord['status'],
    decline?: Decline,
  ): ChargeRecord {
    const charge: ChargeRecord = {
      id: newId('ch'),
      created: unixSeconds(),
      payment_intent: pi.id,
      amount: pi.amount,
      amount_captured: 0,
      amount_refunded: 0,
      currency: pi.currency,
      captured: false,
      status,
      paid: status === 'succeeded',
      refunded: false,
      disputed: false,
      payment_method: pi.payment_method ?? '',
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      decline_code: decline?.decline_code ?? null,
      metadata: { ...pi.metadata },
      description: pi.description,
      customer: pi.customer,
    };
    this.deps.store.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    return charge;
  }

  /** Applies what the payment method does on a confirmation (or after 3-D Secure). */
  private apply(
    pi: PaymentIntentRecord,
    outcome: ConfirmOutcome,
    offSession: boolean,
    origin: Origin,
  ): ConfirmResult {
    switch (outcome.kind) {
      case 'authenticate':
        if (offSession)
          return this.settle(pi, { kind: 'decline', decline: AUTHENTICATION_REQUIRED }, undefined, origin);
        pi.status = 'requires_action';
        pi.authenticating = pi.payment_method;
        pi.next_action = this.nextAction(pi);
        this.deps.events.emit('payment_intent.requires_action', this.render(pi), origin);
        return { paymentIntent: pi, decline: null };
      case 'processing': {
        const charge = this.newCharge(pi, 'pending');
        pi.status = 'processing';
        this.deps.events.emit('charge.pending', renderCharge(charge), origin);
        this.deps.events.emit('payment_intent.processing', this.render(pi), origin);
        this.deps.scheduler.schedule('finish_processing', pi.id, this.deps.settings().processing_ms);
        return { paymentIntent: pi, decline: null };
      }
      default:
        return this.settle(pi, outcome, undefined, origin);
    }
  }

  /** The bank's answer: the charge succeeds (captured, or authorized for a manual capture) or fails. */
  private settle(
    pi: PaymentIntentRecord,
    outcome: ConfirmOutcome,
    pending: ChargeRecord | undefined,
    origin: Origin,
  ): ConfirmResult {
    if (outcome.kind === 'decline') {
      const charge = pending ?? this.newCharge(pi, 'failed', outcome.decline);
      if (pending) Object.assign(pending, this.failedFields(outcome.decline));
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        type: 'card_error',
        ...outcome.decline,
        ...(pi.payment_method ? { payment_method: pi.payment_method } : {}),
        charge: charge.id,
      };
      this.deps.events.emit('charge.failed', renderCharge(charge), origin);
      this.deps.events.emit('payment_intent.payment_failed', this.render(pi), origin);
      return { paymentIntent: pi, decline: { ...outcome.decline, charge: charge.id } };
    }
    const charge = pending ?? this.newCharge(pi, 'succeeded');
    charge.status = 'succeeded';
    charge.paid = true;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      this.deps.events.emit('charge.succeeded', renderCharge(charge), origin);
      this.deps.events.emit('payment_intent.amount_capturable_updated', this.render(pi), origin);
      return { paymentIntent: pi, decline: null };
    }
    charge.captured = true;
    charge.amount_captured = pi.amount;
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    this.deps.events.emit('charge.succeeded', renderCharge(charge), origin);
    this.deps.events.emit('payment_intent.succeeded', this.render(pi), origin);
    this.scheduleDispute(pi, charge);
    return { paymentIntent: pi, decline: null };
  }

  private failedFields(decline: Decline): Partial<ChargeRecord> {
    return {
      status: 'failed',
      paid: false,
      failure_code: decline.code,
      failure_message: decline.message,
      decline_code: decline.decline_code ?? null,
    };
  }

  private scheduleDispute(pi: PaymentIntentRecord, charge: ChargeRecord): void {
    if (pi.payment_method && testPaymentMethod(pi.payment_method)?.dispute) {
      this.deps.scheduler.schedule('open_dispute', charge.id, this.deps.settings().dispute_after_ms);
    }
  }

  /**
   * What the customer's browser must do: Stripe.js handles `use_stripe_sdk`, a return_url makes it
   * a redirect. Both lead to the stand-in's 3-D Secure page, which stands for the bank's.
   */
  private nextAction(pi: PaymentIntentRecord): Record<string, unknown> {
    const url = this.deps.authenticationUrl(pi);
    if (pi.return_url !== null) {
      return { type: 'redirect_to_url', redirect_to_url: { url, return_url: pi.return_url } };
    }
    return { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url } };
  }
}

/** The 402 the API answers for a declined confirmation, with the PaymentIntent as it now is. */
export function declineError(result: ConfirmResult, rendered: Record<string, unknown>): StripeApiError {
  const decline = result.decline;
  if (!decline) throw new Error('declineError called for a confirmation that was not declined');
  return cardError({
    code: decline.code,
    decline_code: decline.decline_code,
    message: decline.message,
    charge: decline.charge,
    payment_intent: rendered,
  });
}
