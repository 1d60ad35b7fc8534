/**
 * The stand-in's records in Stripe's response shape: every top-level field Stripe's object has (the
 * ones not modelled at their defaults), so clients that read any of them find it.
 */
import { testPaymentMethod } from '../test-payment-methods';
import type { ChargeRecord, DisputeRecord, PaymentError, PaymentIntentRecord, RefundRecord } from './model';

type Json = Record<string, unknown>;

function paymentMethodSummary(id: string): Json {
  const known = testPaymentMethod(id);
  return {
    id,
    object: 'payment_method',
    type: 'card',
    card: known ? { brand: known.brand, last4: known.last4 } : null,
    livemode: false,
  };
}

export function renderPaymentError(error: PaymentError): Json {
  return {
    type: error.type,
    code: error.code,
    ...(error.decline_code ? { decline_code: error.decline_code } : {}),
    doc_url: `https://stripe.com/docs/error-codes/${error.code.replace(/_/g, '-')}`,
    message: error.message,
    ...(error.charge ? { charge: error.charge } : {}),
    ...(error.payment_method ? { payment_method: paymentMethodSummary(error.payment_method) } : {}),
  };
}

export function renderPaymentIntent(pi: PaymentIntentRecord, expandedCharge?: Json | null): Json {
  return {
    id: pi.id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: pi.amount,
    amount_capturable: pi.amount_capturable,
    amount_details: {},
    amount_received: pi.amount_received,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.canceled_at,
    cancellation_reason: pi.cancellation_reason,
    capture_method: pi.capture_method,
    client_secret: pi.client_secret,
    confirmation_method: pi.confirmation_method,
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    customer_account: null,
    description: pi.description,
    excluded_payment_method_types: null,
    last_payment_error: pi.last_payment_error ? renderPaymentError(pi.last_payment_error) : null,
    latest_charge: expandedCharge ?? pi.latest_charge,
    livemode: false,
    managed_payments: null,
    metadata: { ...pi.metadata },
    next_action: pi.next_action,
    on_behalf_of: null,
    payment_method: pi.payment_method,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [...pi.payment_method_types],
    processing: pi.status === 'processing' ? { type: 'card' } : null,
    receipt_email: pi.receipt_email,
    review: null,
    setup_future_usage: pi.setup_future_usage,
    shipping: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderCharge(charge: ChargeRecord): Json {
  const known = testPaymentMethod(charge.payment_method);
  const failed = charge.status === 'failed';
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: charge.amount_captured,
    amount_refunded: charge.amount_refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failed ? null : `txn_${charge.id.slice(3)}`,
    billing_details: { address: null, email: null, name: null, phone: null },
    calculated_statement_descriptor: null,
    captured: charge.captured,
    created: charge.created,
    currency: charge.currency,
    customer: charge.customer,
    description: charge.description,
    disputed: charge.disputed,
    failure_balance_transaction: null,
    failure_code: charge.failure_code,
    failure_message: charge.failure_message,
    fraud_details: {},
    livemode: false,
    metadata: { ...charge.metadata },
    on_behalf_of: null,
    outcome: {
      network_status: failed ? 'declined_by_network' : 'approved_by_network',
      reason: charge.decline_code,
      risk_level: 'normal',
      seller_message: failed
        ? 'The bank did not return any further details with this decline.'
        : 'Payment complete.',
      type: failed ? 'issuer_declined' : 'authorized',
    },
    paid: charge.paid,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    payment_method_details: {
      type: 'card',
      card: known ? { brand: known.brand, last4: known.last4 } : null,
    },
    receipt_email: null,
    receipt_url: null,
    refunded: charge.refunded,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: charge.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderRefund(refund: RefundRecord): Json {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: `txn_${refund.id.slice(3)}`,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    destination_details: { type: 'card', card: { type: 'refund' } },
    ...(refund.failure_reason ? { failure_reason: refund.failure_reason } : {}),
    metadata: { ...refund.metadata },
    payment_intent: refund.payment_intent,
    reason: refund.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: refund.status,
    transfer_reversal: null,
  };
}

export function renderDispute(dispute: DisputeRecord): Json {
  return {
    id: dispute.id,
    object: 'dispute',
    amount: dispute.amount,
    balance_transactions: [],
    charge: dispute.charge,
    created: dispute.created,
    currency: dispute.currency,
    evidence: {},
    evidence_details: {
      due_by: dispute.created + 7 * 86_400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: dispute.payment_intent,
    reason: dispute.reason,
    status: dispute.status,
  };
}
