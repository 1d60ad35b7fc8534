import type { FastifyInstance } from 'fastify';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import { CHARGE_ALREADY_FAILED, CHARGE_ALREADY_SUCCEEDED, type ChargeRecord } from '../../contracts/charge';
import {
  CHARGE_NOT_REFUNDABLE,
  REFUND_REASONS,
  REFUND_WINDOW_CLOSED,
  type RefundRequest,
} from '../../contracts/refund';
import { amountGranularityProblem } from '../../contracts/currency';
import { HttpError, refusalError } from '../errors';
import { registerStrictJsonParser } from '../json-body';
import { bearerAuth } from './bearer-auth';
import {
  chargeRecordSchema,
  errorResponseSchema,
  EVENT_ID_PATTERN,
  eventIdParamsSchema,
  refundSchema,
} from './schemas';

const refundRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['refund_id'],
  properties: {
    refund_id: {
      type: 'string',
      pattern: EVENT_ID_PATTERN,
      description: "The caller's idempotency key for this refund",
    },
    amount: {
      type: 'integer',
      minimum: 1,
      maximum: 99_999_999,
      description: 'Minor units; defaults to the amount not yet refunded',
    },
    reason: { type: 'string', enum: [...REFUND_REASONS] },
  },
} as const;

const refundAnswerSchema = {
  type: 'object',
  required: ['event_id', 'refund', 'duplicate'],
  properties: { event_id: { type: 'string' }, refund: refundSchema, duplicate: { type: 'boolean' } },
} as const;

/** Refund and cancel: the rest of a charge's life, each exactly once however often it is asked. */
export async function chargeActionRoutes(
  app: FastifyInstance,
  opts: { charges: ChargeWorkflows; apiTokens: readonly string[]; refundWindowSeconds: number },
): Promise<void> {
  const { charges } = opts;
  app.addHook('onRequest', bearerAuth(opts.apiTokens));
  // `POST …/cancel` has no body, and clients often send `content-type: application/json` anyway.
  registerStrictJsonParser(app, { emptyBody: 'absent' });

  const existingCharge = async (eventId: string): Promise<ChargeRecord> => {
    const record = await charges.getState(eventId);
    if (record === undefined) throw new HttpError(404, 'not_found', 'no charge with that event_id');
    return record;
  };

  app.post<{ Params: { event_id: string }; Body: RefundRequest }>(
    '/charges/:event_id/refund',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Refund a succeeded charge (all or part), once per refund_id',
        description:
          "201 creates the refund at Stripe; 200 with duplicate=true repeats an earlier identical request; 400 for an amount Stripe does not take in the charge's currency (ISK and UGX: whole units, divisible by 100; three-decimal currencies: ending in 0); 409 for a charge that has not succeeded or a refund_id reused with another body; 422 when the amount exceeds what is left to refund.",
        params: eventIdParamsSchema,
        body: refundRequestSchema,
        response: {
          200: refundAnswerSchema,
          201: refundAnswerSchema,
          400: errorResponseSchema,
          401: errorResponseSchema,
          404: errorResponseSchema,
          409: errorResponseSchema,
          422: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const eventId = request.params.event_id;
      request.log = request.log.child({ event_id: eventId, refund_id: request.body.refund_id });
      const charge = await existingCharge(eventId);
      if (charge.status !== 'succeeded') {
        throw refusalError(
          CHARGE_NOT_REFUNDABLE,
          `the charge is ${charge.status}; only a succeeded charge can be refunded`,
        );
      }
      const { amount } = request.body;
      // Stripe refuses a refund in hundredths it does not take (ISK, UGX: whole units; three-decimal: ends
      // in 0): say so now, rather than after the refunds workflow has recorded it as pending.
      const granularity =
        amount === undefined ? undefined : amountGranularityProblem(amount, charge.currency);
      if (granularity !== undefined) {
        throw new HttpError(400, 'invalid_request', `amount ${granularity}`, [
          { field: 'amount', reason: granularity },
        ]);
      }
      const outcome = await charges.refund(
        { charge, window_seconds: opts.refundWindowSeconds },
        request.body,
      );
      if (outcome.kind === 'window_closed') {
        throw refusalError(REFUND_WINDOW_CLOSED, 'the refund window of this charge has closed');
      }
      if (outcome.kind === 'rejected') throw refusalError(outcome.type, outcome.message);
      request.log.info({ refund_status: outcome.value.refund.status }, 'refund accepted');
      return reply.code(outcome.value.duplicate ? 200 : 201).send({ event_id: eventId, ...outcome.value });
    },
  );

  app.post<{ Params: { event_id: string } }>(
    '/charges/:event_id/cancel',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Cancel a charge that has not succeeded (pending, processing, requires_action)',
        description:
          '200 with the canceled charge (also for a repeat); 409 for a succeeded charge (refund it instead) or a failed one.',
        params: eventIdParamsSchema,
        response: {
          200: chargeRecordSchema,
          401: errorResponseSchema,
          404: errorResponseSchema,
          409: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const eventId = request.params.event_id;
      request.log = request.log.child({ event_id: eventId });
      const outcome = await charges.cancel(eventId);
      if (outcome.kind === 'ok') return outcome.value;
      if (outcome.kind === 'rejected') throw refusalError(outcome.type, outcome.message);
      // The workflow has ended: its final state decides (a repeated cancel is answered again).
      const charge = await existingCharge(eventId);
      if (charge.status === 'canceled') return charge;
      if (charge.status === 'succeeded') {
        throw refusalError(
          CHARGE_ALREADY_SUCCEEDED,
          'the charge has succeeded and cannot be canceled; refund it instead',
        );
      }
      throw refusalError(CHARGE_ALREADY_FAILED, 'the charge has already failed; there is nothing to cancel');
    },
  );
}
