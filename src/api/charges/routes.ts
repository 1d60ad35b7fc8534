import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { ChargeWorkflows, EarlyAnswer } from '../temporal/charge-workflows';
import {
  DEFAULT_CAPTURE_POLICY,
  isManualCapture,
  type CapturePolicy,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeStatus,
  type ChargeTiming,
} from '../../contracts/charge';
import { amountProblem, currencyProblem } from '../../contracts/currency';
import { DEFAULT_LATE_SUCCESS_POLICY, type LateSuccessPolicy } from '../../contracts/late-outcome';
import { ProviderUnavailableError } from '../../contracts/payment-provider';
import type { Metrics } from '../../observability/metrics';
import { HttpError, JSON_BODY_ERRORS, RETRY_AFTER_SECONDS, type FieldError } from '../errors';
import { registerStrictJsonParser } from '../json-body';
import type { DedupeWindow } from '../temporal/dedupe-window';
import type { DisputeWorkflows } from '../temporal/dispute-workflows';
import { bearerAuth } from './bearer-auth';
import { chargeView, type ChargeView } from './charge-caller-view';
import { KNOWN_CHARGES_CAPACITY, KnownCharges } from './known-charges';
import { preferredWaitSeconds, waitApplied } from './prefer';
import { startOrFind } from './start-or-find';
import { payloadHash } from './payload-hash';
import { ReadLimit } from '../read-limit';
import {
  chargeAcceptedSchema,
  chargeEarlyAnswerSchema,
  chargeRecordSchema,
  chargeRepeatSchema,
  chargeRequestHeadersSchema,
  chargeRequestSchema,
  errorResponseSchema,
  eventIdParamsSchema,
  METADATA_MAX_KEY_LENGTH,
  METADATA_RESERVED_KEYS,
  type ChargeAccepted,
  type ChargeRequestBody,
} from './schemas';

export const CHARGE_BODY_LIMIT_BYTES = 64 * 1024;

const LOCATION_HEADER = {
  location: { type: 'string', description: 'The status URL (GET /charges/{event_id})' },
} as const;

const POLL_AFTER_HEADER = {
  'retry-after': {
    type: 'integer',
    description:
      'While the charge waits for its PaymentIntent: seconds before reading it again (half the time the Stripe queue ahead of it takes to drain, 1 to 30)',
  },
} as const;

const PREFERENCE_APPLIED_HEADER = {
  'preference-applied': {
    type: 'string',
    description: '`wait=N` when the answer is the early one (the charge as GET shows it)',
  },
} as const;

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

function invalid(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_request', `${field} ${reason}`, [{ field, reason }]);
}

/**
 * The request as it will be charged, or a 400 naming the field: what Stripe would refuse is refused
 * here, before a 202, rather than failing at Stripe after the dispatcher was told it was accepted.
 */
function normalise({ occurred_at: _occurredAt, ...body }: ChargeRequestBody): ChargeRequest {
  // Every problem at once, as the schema's own errors are: a caller fixes its request in one go.
  const errors: FieldError[] = [];
  const refuse = (field: string, reason: string) => errors.push({ field, reason });
  for (const key of Object.keys(body.metadata ?? {})) {
    if (key.length < 1 || key.length > METADATA_MAX_KEY_LENGTH) {
      refuse(
        `metadata.${key}`,
        `must be a key of 1 to ${METADATA_MAX_KEY_LENGTH} characters (Stripe's limit)`,
      );
    } else if (METADATA_RESERVED_KEYS.includes(key)) {
      refuse(`metadata.${key}`, 'is reserved: the service sets it');
    }
  }
  const currency = body.currency.toLowerCase();
  const currencyRefused = ISO_CURRENCIES.has(currency)
    ? currencyProblem(currency)
    : 'is not an ISO 4217 currency code';
  if (currencyRefused !== undefined) refuse('currency', currencyRefused);
  // An amount is judged in its currency, so only once the currency is one Stripe charges in.
  const amountRefused = currencyRefused === undefined ? amountProblem(body.amount, currency) : undefined;
  if (amountRefused !== undefined) refuse('amount', amountRefused);
  if (body.return_url !== undefined) {
    // Stripe takes a return_url only with a confirmation, which this service makes only for a given
    // payment method; the storefront hands its own to stripe.confirmPayment.
    if (body.payment_method === undefined) {
      refuse('return_url', 'is used only with payment_method (the storefront passes its own to Stripe.js)');
    } else if (!isHttpsUrl(body.return_url)) {
      refuse('return_url', 'must be an https URL');
    }
  }
  if (errors.length > 0) {
    const message = errors.map((e) => `${e.field} ${e.reason}`).join('; ');
    throw new HttpError(400, 'invalid_request', message, errors);
  }
  // `automatic` is the default: dropped, so an explicit one hashes and runs as a charge without it.
  const { capture, ...rest } = body;
  return { ...rest, currency, ...(capture === 'manual' ? { capture } : {}) };
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An order event older than the dedupe window may be a replay of one whose charge Temporal no
 * longer remembers: it is refused, and nothing is started (the README says what an operator does).
 */
function refuseIfTooOld(occurredAt: string | undefined, windowSeconds: number): void {
  if (occurredAt === undefined) return;
  const at = RFC_3339.test(occurredAt) ? Date.parse(occurredAt) : NaN;
  if (Number.isNaN(at))
    throw invalid('occurred_at', 'must be an RFC 3339 date-time such as 2026-11-27T10:15:00Z');
  const ageSeconds = (Date.now() - at) / 1000;
  if (ageSeconds > windowSeconds) {
    throw new HttpError(
      422,
      'event_too_old',
      `the order event is ${Math.floor(ageSeconds / 86_400)} days old, older than the dedupe window of ${windowSeconds / 86_400} days: a replay can no longer be told from a new order, so nothing was charged`,
      [{ field: 'occurred_at', reason: 'is older than the dedupe window' }],
    );
  }
}

function statusUrl(eventId: string): string {
  return `/charges/${encodeURIComponent(eventId)}`;
}

/** 202 for a new charge, 200 for a repeat: the same body, with the status URL also in Location. */
function sendAccepted(
  reply: FastifyReply,
  code: 200 | 202,
  eventId: string,
  charge: { workflowId: string; runId: string; status: ChargeStatus; duplicate: boolean },
): FastifyReply {
  const body: ChargeAccepted = {
    event_id: eventId,
    workflow_id: charge.workflowId,
    run_id: charge.runId,
    status: charge.status,
    status_url: statusUrl(eventId),
    duplicate: charge.duplicate,
  };
  return reply.code(code).header('location', statusUrl(eventId)).send(body);
}

/**
 * The early answer (`Prefer: wait=N` honoured): the charge as GET shows it, with what the plain
 * answer carries, and `Preference-Applied`.
 */
function sendEarly(
  reply: FastifyReply,
  code: 200 | 201,
  view: ChargeView,
  charge: { workflowId: string; runId: string; duplicate: boolean },
  waitSeconds: number,
): FastifyReply {
  return reply
    .code(code)
    .header('location', statusUrl(view.event_id))
    .header('preference-applied', waitApplied(waitSeconds))
    .send({
      ...view,
      workflow_id: charge.workflowId,
      run_id: charge.runId,
      status_url: statusUrl(view.event_id),
      duplicate: charge.duplicate,
    });
}

export async function chargeRoutes(
  app: FastifyInstance,
  opts: {
    charges: ChargeWorkflows;
    disputes: Pick<DisputeWorkflows, 'listForCharge'>;
    dedupe: Pick<DedupeWindow, 'windowSeconds' | 'refusal'>;
    metrics: Metrics;
    apiTokens: readonly string[];
    timing: ChargeTiming;
    /** What manual-capture charges do before their hold expires (fixed at start). */
    capturePolicy?: CapturePolicy;
    /** What a charge does with money Stripe takes after it decided failed or canceled (fixed at start). */
    lateSuccessPolicy?: LateSuccessPolicy;
    /** GET /charges/:event_id answered per second (GATEWAY_MAX_READS_PER_SECOND); none: no limit. */
    maxReadsPerSecond?: number;
    /** The Retry-After for a charge still without a PaymentIntent (poll-hint.ts); none: no header. */
    pollAfterSeconds?: () => number;
  },
): Promise<void> {
  const { charges, disputes, dedupe, metrics } = opts;
  const reads =
    opts.maxReadsPerSecond === undefined ? undefined : new ReadLimit(opts.maxReadsPerSecond, Date.now());
  const view = (record: ChargeRecord) => chargeView(record, { charges, disputes, metrics });

  /**
   * The early answer's body, or undefined when it cannot be given: the PaymentIntent did not come in
   * time, or (a charge started before the workflow kept the client_secret) its transitional read did
   * not finish (the caller then gets the plain answer, and reads the charge with GET later). Never
   * logs the view.
   */
  const earlyView = async (early: EarlyAnswer, log: FastifyBaseLogger): Promise<ChargeView | undefined> => {
    if (early.kind === 'not_ready') {
      log.info({ reason: early.reason }, 'no early answer: the PaymentIntent did not come within the wait');
      return undefined;
    }
    try {
      return await view(early.record);
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError)) throw err;
      log.warn({ reason: err.message }, 'no early answer: the client_secret is not read yet');
      return undefined;
    }
  };
  const known = new KnownCharges(KNOWN_CHARGES_CAPACITY);
  // Every route of this plugin (and only these: health and metrics stay open) needs a caller token.
  app.addHook('onRequest', bearerAuth(opts.apiTokens));
  // A key given twice is refused, not silently resolved to its last value.
  registerStrictJsonParser(app, { emptyBody: 'refused' });

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/charge',
    {
      bodyLimit: CHARGE_BODY_LIMIT_BYTES,
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Charge an order once per event_id',
        description:
          '202 starts a new charge; 200 with duplicate=true answers a repeat of the same request; 409 means the event_id was used with another payload. With `Prefer: wait=N` the answer waits up to N seconds for the PaymentIntent: 201 (or 200 for a repeat) with the charge as GET shows it, its client_secret included, and `Preference-Applied: wait=N`; if it is not there in time, the plain 202 (or 200).',
        body: chargeRequestSchema,
        headers: chargeRequestHeadersSchema,
        operationId: 'createCharge',
        response: {
          200: {
            ...chargeRepeatSchema,
            description:
              'A repeat of the same request: the existing charge, its current status, duplicate=true; with `Prefer: wait=N` and the PaymentIntent in time, the charge as GET shows it and `Preference-Applied`',
            headers: { ...LOCATION_HEADER, ...PREFERENCE_APPLIED_HEADER },
          },
          201: {
            ...chargeEarlyAnswerSchema,
            description:
              'With `Prefer: wait=N`: a new charge whose PaymentIntent exists: the charge as GET shows it (client_secret, next_action), duplicate=false',
            headers: { ...LOCATION_HEADER, ...PREFERENCE_APPLIED_HEADER },
          },
          202: {
            ...chargeAcceptedSchema,
            description:
              'A new charge was durably started (its workflow exists), duplicate=false; Retry-After says when to read it',
            headers: { ...LOCATION_HEADER, ...POLL_AFTER_HEADER },
          },
          400: {
            ...errorResponseSchema,
            description:
              'Invalid body (not JSON, a key given twice, a field wrong); `errors` names each field and reason',
          },
          401: { ...errorResponseSchema, description: 'No or wrong bearer token' },
          409: {
            ...errorResponseSchema,
            description: 'The event_id was already used with a different payload',
          },
          ...JSON_BODY_ERRORS,
          422: {
            ...errorResponseSchema,
            description: 'event_too_old: occurred_at is older than the dedupe window; nothing was started',
          },
          503: {
            ...errorResponseSchema,
            description:
              'Temporal cannot be reached (`unavailable`), its namespace retention has not been read yet (`dedupe_window_unconfirmed`) or is shorter than the dedupe window (`dedupe_window_not_kept`); nothing was started; retry after Retry-After seconds',
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' } },
          },
        },
      },
    },
    async (request, reply) => {
      const charge = normalise(request.body);
      refuseIfTooOld(request.body.occurred_at, dedupe.windowSeconds);
      const refused = await dedupe.refusal();
      if (refused !== undefined) {
        request.log.error({ reason: refused.reason }, 'charge refused: the dedupe window is not confirmed');
        throw new HttpError(
          503,
          refused.code,
          `no charge is taken while ${refused.reason}`,
          [],
          {},
          { 'retry-after': String(RETRY_AFTER_SECONDS) },
        );
      }
      const hash = payloadHash(charge);
      request.log = request.log.child({ event_id: charge.event_id, order_id: charge.order_id });
      const waitSeconds = preferredWaitSeconds(request.headers.prefer);
      const waitUntil = waitSeconds === undefined ? undefined : Date.now() + waitSeconds * 1000;

      const found = await startOrFind(
        charges,
        known,
        {
          request: charge,
          payload_hash: hash,
          timing: opts.timing,
          // Only manual-capture charges carry it: automatic ones start exactly as before.
          ...(isManualCapture(charge)
            ? { capture_policy: opts.capturePolicy ?? DEFAULT_CAPTURE_POLICY }
            : {}),
          late_success_policy: opts.lateSuccessPolicy ?? DEFAULT_LATE_SUCCESS_POLICY,
        },
        waitSeconds === undefined ? undefined : waitSeconds * 1000,
      );
      if (found.kind === 'started') {
        metrics.charges.inc({ outcome: 'started' });
        request.log.info({ workflow_id: found.workflowId }, 'charge accepted');
        const early = found.early && (await earlyView(found.early, request.log));
        if (early !== undefined && waitSeconds !== undefined) {
          return sendEarly(reply, 201, early, { ...found, duplicate: false }, waitSeconds);
        }
        if (opts.pollAfterSeconds) reply.header('retry-after', String(opts.pollAfterSeconds()));
        return sendAccepted(reply, 202, charge.event_id, { ...found, status: 'pending', duplicate: false });
      }
      const existing = found.charge;
      if (existing.payloadHash !== hash) {
        metrics.charges.inc({ outcome: 'conflict' });
        request.log.warn('event_id reused with a different payload');
        throw new HttpError(
          409,
          'event_id_conflict',
          'event_id was already used for a charge with a different payload',
          [{ field: 'event_id', reason: 'is already used with a different payload' }],
        );
      }
      metrics.charges.inc({ outcome: 'duplicate' });
      const left = waitUntil === undefined ? 0 : waitUntil - Date.now();
      if (waitSeconds !== undefined && left > 0) {
        const early = await earlyView(await charges.awaitPaymentIntent(charge.event_id, left), request.log);
        if (early !== undefined) {
          return sendEarly(reply, 200, early, { ...existing, duplicate: true }, waitSeconds);
        }
      }
      return sendAccepted(reply, 200, charge.event_id, { ...existing, duplicate: true });
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/charges/:event_id',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: "A charge's current state, read from its workflow",
        params: eventIdParamsSchema,
        operationId: 'getCharge',
        response: {
          200: {
            ...chargeRecordSchema,
            description:
              "The charge's current state: with client_secret and next_action while it waits for the customer (pending, requires_action), with refunds once it succeeded; while it has no PaymentIntent yet, Retry-After says when to read it again",
            headers: POLL_AFTER_HEADER,
          },
          400: { ...errorResponseSchema, description: 'Malformed event_id' },
          401: { ...errorResponseSchema, description: 'No or wrong bearer token' },
          404: { ...errorResponseSchema, description: 'No charge with that event_id' },
          503: {
            ...errorResponseSchema,
            description:
              'Temporal cannot be reached (`unavailable`), the gateway answers more reads per second than GATEWAY_MAX_READS_PER_SECOND (`busy`), or a waiting charge started before the workflow kept its client_secret is having it read through the Stripe queue (`payment_provider_unavailable`); retry after Retry-After seconds',
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' } },
          },
        },
      },
    },
    async (request, reply) => {
      request.log = request.log.child({ event_id: request.params.event_id });
      if (reads !== undefined && !reads.admit(Date.now())) {
        throw new HttpError(
          503,
          'busy',
          'too many charge reads at once; ask again after Retry-After',
          [],
          {},
          {
            'retry-after': '1',
          },
        );
      }
      const record = await charges.getState(request.params.event_id);
      if (record === undefined) throw new HttpError(404, 'not_found', 'no charge with that event_id');
      if (opts.pollAfterSeconds && record.payment_intent_id === null && record.status === 'pending') {
        reply.header('retry-after', String(opts.pollAfterSeconds()));
      }
      return view(record);
    },
  );
}
