import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  AUTHORIZATION_EXPIRED,
  CAPTURE_EXCEEDS_CAPTURABLE,
  CAPTURE_REFUSED,
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  CHARGE_NOT_AUTHORIZED,
} from '../contracts/charge';
import {
  CHARGE_LOOKUP_FAILED,
  CHARGE_NOT_FOUND,
  CHARGE_NOT_REFUNDABLE,
  REFUND_AMOUNT_NOT_ACCEPTED,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_ID_CONFLICT,
  REFUND_WINDOW_CLOSED,
} from '../contracts/refund';
import { ProviderUnavailableError } from '../contracts/payment-provider';
import { type Assert, type Immutable, type Same } from './schema-types';
import { TemporalUnavailableError } from './temporal/charge-workflows';

export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

/** A 4xx that a handler decides on; its message and field errors are safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly errors: readonly FieldError[] = [],
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const RETRY_AFTER_SECONDS = 5;

interface RefusalAnswer {
  readonly status: number;
  readonly code: string;
  /** The request field the refusal is about, with the reason a caller reads. */
  readonly field?: FieldError;
  readonly hint?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one table from a workflow's typed refusal (an update validator's ApplicationFailure type) to
 * the HTTP answer. A type missing here is still a refusal: 409 `rejected`.
 */
const REFUSALS: Readonly<Record<string, RefusalAnswer>> = {
  [REFUND_EXCEEDS_REMAINDER]: {
    status: 422,
    code: 'refund_exceeds_remainder',
    field: { field: 'amount', reason: 'exceeds the amount not yet refunded' },
  },
  [REFUND_ID_CONFLICT]: {
    status: 409,
    code: 'refund_id_conflict',
    field: { field: 'refund_id', reason: 'is already used with a different body' },
  },
  [CHARGE_NOT_REFUNDABLE]: { status: 409, code: 'charge_not_refundable' },
  // The refunds workflow decides these once Stripe has named a charge whose workflow is gone.
  [CHARGE_NOT_FOUND]: { status: 404, code: 'not_found' },
  [REFUND_AMOUNT_NOT_ACCEPTED]: {
    status: 400,
    code: 'invalid_request',
    field: { field: 'amount', reason: "is not an amount Stripe takes in the charge's currency" },
  },
  // Stripe refused the look-up itself (not an outage: that is waited out): the request may be sent
  // again later; the message is ours, never Stripe's.
  [CHARGE_LOOKUP_FAILED]: {
    status: 503,
    code: 'unavailable',
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  },
  [REFUND_WINDOW_CLOSED]: { status: 409, code: 'refund_window_closed' },
  [CHARGE_ALREADY_SUCCEEDED]: {
    status: 409,
    code: 'charge_succeeded',
    hint: 'a succeeded charge is undone with POST /charges/{event_id}/refund',
  },
  [CHARGE_ALREADY_FAILED]: { status: 409, code: 'charge_failed' },
  [CHARGE_NOT_AUTHORIZED]: { status: 409, code: 'charge_not_authorized' },
  [AUTHORIZATION_EXPIRED]: { status: 409, code: 'authorization_expired' },
  [CAPTURE_REFUSED]: { status: 409, code: 'capture_refused' },
  [CAPTURE_EXCEEDS_CAPTURABLE]: {
    status: 422,
    code: 'capture_exceeds_capturable',
    field: { field: 'amount', reason: 'exceeds the amount the authorization holds' },
  },
};

/** The caller's answer to a typed refusal, through the table above. */
export function refusalError(type: string, message: string): HttpError {
  const answer = REFUSALS[type] ?? { status: 409, code: 'rejected' };
  return new HttpError(
    answer.status,
    answer.code,
    message,
    answer.field ? [answer.field] : [],
    answer.hint ? { hint: answer.hint } : {},
    answer.headers ?? {},
  );
}

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** "/metadata/note" → "metadata.note"; a missing or unknown property names itself. */
export function fieldErrorsOf(validation: readonly AjvError[], context: string | undefined): FieldError[] {
  return validation.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const child =
      (e.params['missingProperty'] as string | undefined) ??
      (e.params['additionalProperty'] as string | undefined);
    const field =
      [path, child].filter((p) => p !== undefined && p !== '').join('.') || `(${context ?? 'body'})`;
    const reason =
      e.keyword === 'additionalProperties'
        ? 'is not a known field'
        : e.keyword === 'required'
          ? 'is required'
          : (e.message ?? e.keyword);
    return { field, reason };
  });
}

type HandledError = FastifyError | HttpError | TemporalUnavailableError | ProviderUnavailableError;

/**
 * The one error handler: 4xx answers say what was wrong and where; 5xx answers say nothing but a
 * request id, so no stack, SDK message or secret ever reaches a caller.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: HandledError, request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ error: error.code, message: error.message, errors: error.errors, ...error.extra });
    }
    if (error instanceof TemporalUnavailableError) {
      request.log.warn({ err: error.cause }, 'Temporal unavailable');
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({
        error: 'unavailable',
        message: 'the payments backend is unavailable; retry later',
        errors: [],
      });
    }
    if (error instanceof ProviderUnavailableError) {
      // The message names the PaymentIntent and the SDK's reason, never the answer it may carry.
      request.log.warn({ reason: error.message }, 'payment provider unavailable');
      return reply
        .code(503)
        .header('retry-after', String(error.retryAfterSeconds ?? RETRY_AFTER_SECONDS))
        .send({
          error: 'payment_provider_unavailable',
          message: 'the payment provider cannot be asked for this charge now; retry later',
          errors: [],
        });
    }
    if (error.validation) {
      const errors = fieldErrorsOf(error.validation, error.validationContext);
      return reply.code(400).send({
        error: 'invalid_request',
        message: errors.map((e) => `${e.field} ${e.reason}`).join('; '),
        errors,
      });
    }
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'payload_too_large', message: error.message, errors: [] });
    }
    if (
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error instanceof SyntaxError
    ) {
      return reply.code(400).send({
        error: 'invalid_json',
        message: 'the body is not valid JSON',
        errors: [{ field: '(body)', reason: 'is not valid JSON' }],
      });
    }
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: error.code ?? 'bad_request', message: error.message, errors: [] });
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal_error', message: `internal error (request ${request.id})`, errors: [] });
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}`, errors: [] }),
  );
}

/** The JSON shape of every error answer, for route schemas and the OpenAPI document. */
export const errorResponseSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  errors: Type.Optional(
    Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }), {
      description: 'Each field the request got wrong, and why',
    }),
  ),
  hint: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

export type ErrorAnswer = Static<typeof errorResponseSchema>;

/** FieldError is the schema's: a drift fails the type check. */
export type FieldErrorIsTheSchema = Assert<
  Same<Immutable<NonNullable<ErrorAnswer['errors']>[number]>, FieldError>
>;

/** The error answer as one route documents it: the shared shape, with what it means there. */
export function errorAnswer(description: string, headers?: Record<string, unknown>) {
  return { ...errorResponseSchema, description, ...(headers ? { headers } : {}) };
}

/** The header of every 503. */
export const RETRY_AFTER_HEADER = {
  'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' },
} as const;

/** Answers every JSON route can give before its handler runs. */
export const JSON_BODY_ERRORS = {
  413: errorAnswer('payload_too_large: the body is over 64 KiB'),
  415: errorAnswer('The body is not application/json'),
} as const;
