/**
 * Stripe's error answers, as its API shapes them: `{ error: { type, code?, decline_code?, param?,
 * message, doc_url?, payment_intent? } }` with the HTTP status Stripe uses for each. Messages follow
 * Stripe's where we have seen them; they are not guaranteed to be Stripe's words.
 */

export interface StripeErrorBody {
  readonly type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  readonly message: string;
  readonly code?: string;
  readonly decline_code?: string;
  readonly param?: string;
  readonly doc_url?: string;
  readonly payment_intent?: Record<string, unknown>;
  readonly charge?: string;
  readonly payment_method?: Record<string, unknown>;
}

/** An answer the API gives instead of its object: thrown by the handlers, rendered by the router. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

export function invalidRequest(message: string, extra: Partial<StripeErrorBody> = {}): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(extra.code ? { doc_url: docUrl(extra.code) } : {}),
    ...extra,
  });
}

export function resourceMissing(object: string, id: string, param: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${object}: '${id}'`,
    param,
  });
}

/** A PaymentIntent asked to do what its status does not allow (confirm a succeeded one, ...). */
export function unexpectedState(message: string, paymentIntent?: Record<string, unknown>): StripeApiError {
  return invalidRequest(message, {
    code: 'payment_intent_unexpected_state',
    ...(paymentIntent ? { payment_intent: paymentIntent } : {}),
  });
}

/** HTTP 402: the card was declined (the PaymentIntent goes back to requires_payment_method). */
export function cardError(error: {
  code: string;
  decline_code?: string | undefined;
  message: string;
  charge?: string | undefined;
  payment_intent: Record<string, unknown>;
}): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    code: error.code,
    ...(error.decline_code ? { decline_code: error.decline_code } : {}),
    doc_url: docUrl(error.code),
    message: error.message,
    ...(error.charge ? { charge: error.charge } : {}),
    payment_intent: error.payment_intent,
  });
}

export function idempotencyMismatch(key: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'idempotency_error',
    message:
      'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
      `Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

export function idempotencyOtherEndpoint(key: string, first: string, now: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'idempotency_error',
    message:
      `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${first}' vs '${now}'). ` +
      `Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

/** HTTP 409: another request with the same key is still running. */
export function idempotencyInProgress(): StripeApiError {
  return new StripeApiError(409, {
    type: 'invalid_request_error',
    code: 'idempotency_key_in_use',
    doc_url: docUrl('idempotency_key_in_use'),
    message:
      'There is currently another in-progress request using this Idempotent Key (that probably means you ' +
      'submitted twice, and the other request is still going through). Please try again later.',
  });
}

/** HTTP 429, without Retry-After or Stripe-Should-Retry, as Stripe answers above its rate limit. */
export function rateLimited(): StripeApiError {
  return new StripeApiError(429, {
    type: 'invalid_request_error',
    code: 'rate_limit',
    doc_url: docUrl('rate_limit'),
    message:
      'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
  });
}

export function authenticationFailed(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message });
}

export function apiError(status: number, message: string): StripeApiError {
  return new StripeApiError(status, { type: 'api_error', message });
}
