/**
 * What a payment provider must do for us, in our own terms. The workflows call these activities by
 * name and the webhook receiver hears events through `ProviderWebhooks`; src/stripe/ is the one
 * implementation, and a second provider would be one new folder implementing the same two interfaces.
 */
import type { CancellationReason, ChargeFailure, ChargeRequest } from './charge';
import type { RefundReason, RefundStatus } from './refund';

/**
 * Failure types that end an operation instead of being retried. The values are recorded in workflow
 * histories (activity failures) and read back on replay: never rename them. They are Stripe's error
 * names because Stripe was the provider when the first histories were recorded; the identifiers name
 * them by this layer's word, "provider", as everything behind this interface does.
 */
export const PROVIDER_DECLINED = 'StripeCardError';
export const PROVIDER_INVALID_REQUEST = 'StripeInvalidRequestError';
export const NON_RETRYABLE_PROVIDER_FAILURES: readonly string[] = [
  PROVIDER_DECLINED,
  PROVIDER_INVALID_REQUEST,
];
/** A failure the provider says may pass (network, 5xx, 429): Temporal's retry policy tries again. */
export const PROVIDER_TRANSIENT = 'StripeTransientError';

/**
 * The task queue of the provider's activities: their own, so that one worker option
 * (`maxTaskQueueActivitiesPerSecond`, enforced by the Temporal server across every worker) keeps all
 * calls to the provider under its rate limit, while workflow tasks and Kafka publishes run unthrottled.
 */
export function providerTaskQueue(workflowTaskQueue: string): string {
  // The suffix is a value in recorded histories and in deployed workers' polls: it stays `-stripe`.
  return `${workflowTaskQueue}-stripe`;
}

/** What a fatal provider failure carries to the workflow in `details[0]`. */
export interface ProviderFailureDetails {
  readonly failure: ChargeFailure;
  readonly payment_intent_id: string | null;
}

/** Every activity names its charge: the log interceptor puts these ids on each of its log lines. */
export interface ChargeRef {
  readonly event_id: string;
  readonly order_id: string;
}

/**
 * The money a PaymentIntent or its event is about. Optional only because activity results and
 * signals recorded before these were carried have none; the provider always sends both.
 */
export interface MoneyOf {
  readonly amount?: number;
  /** Lowercase ISO 4217, as Stripe writes it. */
  readonly currency?: string;
}

/**
 * A manual-capture PaymentIntent's hold (only on PaymentIntents created with capture_method=manual,
 * so automatic charges' results stay as they were recorded).
 */
export interface HoldOf {
  /** What can still be captured (minor units). */
  readonly amount_capturable?: number;
  /** What was captured (minor units). */
  readonly amount_received?: number;
  /** When the card network releases the hold (unix seconds), when the provider says. */
  readonly capture_before?: number;
}

export interface PaymentIntentOutcome extends MoneyOf, HoldOf, CustomerActionOf {
  readonly id: string;
  /** The provider's PaymentIntent status, e.g. requires_action, processing, succeeded, canceled. */
  readonly status: string;
  readonly failure: ChargeFailure | null;
  /**
   * Our metadata on the PaymentIntent, where the charge that created it is named. Only
   * `retrievePaymentIntentForDispute` returns it: a dispute names a PaymentIntent, not our charge.
   */
  readonly metadata?: { readonly event_id?: string; readonly order_id?: string };
  /**
   * When the PaymentIntent was created (unix seconds). Only `findPaymentIntentByEventId` returns it
   * (with `metadata`): a refund of a charge whose workflow is gone counts its window from it.
   */
  readonly created?: number;
}

export interface RefundOutcome {
  readonly stripe_refund_id: string;
  readonly status: RefundStatus;
  readonly failure: ChargeFailure | null;
}

/** The provider's activities, by the names the workflows schedule (recorded in history: keep them). */
export interface PaymentProviderActivities {
  /**
   * Creates (and, with a payment method, confirms) the PaymentIntent. The idempotency key derives
   * from event_id and the key generation alone, so every retry returns the first attempt's intent.
   */
  createPaymentIntent(request: ChargeRequest, keyGeneration?: number): Promise<PaymentIntentOutcome>;
  /** The PaymentIntent as the provider has it now (reconciliation when webhooks are late or lost). */
  retrievePaymentIntent(input: ChargeRef & { payment_intent_id: string }): Promise<PaymentIntentOutcome>;
  /**
   * The PaymentIntent a charge created, found by event_id in our metadata, with that metadata and its
   * `created`: before a new idempotency key is used, and for a refund once the charge's workflow is gone.
   */
  findPaymentIntentByEventId(input: ChargeRef): Promise<PaymentIntentOutcome | null>;
  cancelPaymentIntent(
    input: ChargeRef & { payment_intent_id: string; reason: CancellationReason },
  ): Promise<PaymentIntentOutcome>;
  /**
   * Captures an authorized (manual-capture) PaymentIntent, all or `amount_to_capture` of it; the rest
   * of the hold is released. The idempotency key derives from event_id alone: one capture per charge.
   */
  capturePaymentIntent(
    input: ChargeRef & { payment_intent_id: string; amount_to_capture: number },
  ): Promise<PaymentIntentOutcome>;
  /**
   * The PaymentIntent a dispute names, with our metadata (event_id, order_id): how a dispute finds its
   * charge, whether or not the charge's workflow is still retained. Read-only, so safely retried.
   */
  retrievePaymentIntentForDispute(input: {
    dispute_id: string;
    payment_intent_id: string;
  }): Promise<PaymentIntentOutcome>;
  /** Refunds all or part of a charge, once per refund_id however often it is retried. */
  createRefund(
    input: ChargeRef & {
      refund_id: string;
      payment_intent_id: string;
      amount: number;
      reason: RefundReason | null;
    },
  ): Promise<RefundOutcome>;
  /**
   * The refund made for `refund_id` on this PaymentIntent, found by our metadata, or null: asked when
   * the create's retries outlived the idempotency window, before the refund is called failed.
   */
  findRefund(
    input: ChargeRef & { payment_intent_id: string; refund_id: string },
  ): Promise<RefundOutcome | null>;
  /** A refund as the provider has it now (a refund that was pending when created). */
  retrieveRefund(input: ChargeRef & { stripe_refund_id: string }): Promise<RefundOutcome>;
}

/** The part of a verified payment event the charge workflow needs (its signal's payload). */
export interface PaymentEventPayload extends MoneyOf, HoldOf, CustomerActionOf {
  /** The provider's event id (evt_…): the unit of deduplication. */
  readonly stripe_event_id: string;
  readonly type: string;
  /** The provider's `created` (unix seconds): orders events that arrive out of order. */
  readonly created: number;
  readonly payment_intent_id: string;
  readonly payment_intent_status: string;
  readonly failure: ChargeFailure | null;
}

/** A refund outcome from a verified refund event (the refunds workflow's signal payload). */
export interface RefundEventPayload extends MoneyOf {
  readonly stripe_event_id: string;
  readonly refund_id: string;
  readonly stripe_refund_id: string;
  readonly status: RefundStatus;
  readonly failure: ChargeFailure | null;
}

/**
 * A verified `charge.dispute.*` event (the dispute workflow's signal payload): the Dispute object as
 * it stood when Stripe sent the event. A Dispute carries none of our metadata; it names the
 * PaymentIntent, through which the workflow finds the order.
 */
export interface DisputeEventPayload {
  readonly stripe_event_id: string;
  /** charge.dispute.created, .updated, .funds_withdrawn, .funds_reinstated or .closed. */
  readonly type: string;
  /** The provider's `created` (unix seconds): orders events that arrive out of order. */
  readonly created: number;
  readonly dispute_id: string;
  readonly payment_intent_id: string | null;
  readonly charge_id: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly amount: number;
  /** Lowercase ISO 4217. */
  readonly currency: string;
  /** evidence_details.due_by (unix seconds), null when no evidence is asked for. */
  readonly evidence_due_by: number | null;
  readonly evidence_submission_count: number;
  /** The disputed amount has been taken from the balance (by this event or one before it). */
  readonly funds_withdrawn: boolean;
  /** It has been given back (by this event or one before it). */
  readonly funds_reinstated: boolean;
}

/** Which workflow a verified event is for, and what it says. */
export type RoutedEvent =
  | {
      readonly kind: 'charge';
      readonly eventId: string;
      /** For logs only: one grep by order_id follows the charge here too. */
      readonly orderId: string | undefined;
      readonly payload: PaymentEventPayload;
      /** The charge's W3C trace context, kept with the payment: the signal joins the charge's trace. */
      readonly traceparent?: string;
    }
  | {
      readonly kind: 'refunds';
      readonly eventId: string;
      readonly orderId: string | undefined;
      readonly payloads: readonly RefundEventPayload[];
    }
  | {
      readonly kind: 'dispute';
      readonly disputeId: string;
      readonly payload: DisputeEventPayload;
    }
  | {
      readonly kind: 'ignored';
      /** livemode_mismatch: a test-mode event at a live receiver, or the other way round. */
      readonly reason: 'not_a_payment_event' | 'not_ours' | 'livemode_mismatch';
    };

export interface VerifiedProviderEvent {
  readonly id: string;
  readonly type: string;
  readonly routed: RoutedEvent;
}

/** How the webhook receiver hears from the provider: only signed, verified events get through. */
export interface ProviderWebhooks {
  /** The event, verified against the raw bytes and the signature header; undefined when forged. */
  verify(rawBody: Buffer, signature: string | undefined): VerifiedProviderEvent | undefined;
}

/**
 * What the customer's browser needs to finish a PaymentIntent: its `client_secret` (Stripe.js
 * `confirmPayment`, the Payment Element) and its `next_action` (3-D Secure: `redirect_to_url` or
 * `use_stripe_sdk`), as the provider returns them. Both come back with the create, the retrieve and the
 * lookup, and with each PaymentIntent event, and the charge workflow keeps them in its state: Temporal
 * holds them only encrypted (the payload codec, src/clients/payload-codec.ts), so the gateway answers
 * from a query and never asks the provider. Never in search attributes, memo, current details, Kafka
 * records, logs or metrics. Optional: results and signals recorded before they were carried have none.
 */
export interface CustomerActionOf {
  readonly client_secret?: string;
  /** The provider's object as it is (opaque to us), or null when the customer has nothing to act on. */
  readonly next_action?: Readonly<Record<string, unknown>> | null;
}

/** A PaymentIntent outcome or event without what only the customer's browser may see. */
export function withoutCustomerAction<T extends CustomerActionOf>(
  value: T,
): Omit<T, 'client_secret' | 'next_action'> {
  const { client_secret: _secret, next_action: _action, ...rest } = value;
  return rest;
}

/** The provider could not be asked (network, 5xx, 429, timeout): the caller should retry later. */
export class ProviderUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds the provider asked us to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}
