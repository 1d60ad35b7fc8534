import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import {
  AUTHORIZATION_EXPIRED,
  AUTHORIZATION_EXPIRED_CODE,
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  CHARGE_NOT_AUTHORIZED,
  type ChargeRecord,
} from '../../contracts/charge';
import { CHARGE_NOT_REFUNDABLE, REFUND_WINDOW_CLOSED } from '../../contracts/refund';
import type { RefundOutcome } from '../temporal/charge-workflows';
import { amountGranularityProblem } from '../../contracts/currency';
import {
  errorAnswer,
  HttpError,
  JSON_BODY_ERRORS,
  refusalError,
  RETRY_AFTER_HEADER,
  RETRY_AFTER_SECONDS,
} from '../errors';
import { registerStrictJsonParser } from '../json-body';
import { bearerAuth } from './bearer-auth';
import {
  captureRequestSchema,
  chargeRecordSchema,
  eventIdParamsSchema,
  refundAnswerSchema,
  refundHeldSchema,
  refundRequestSchema,
} from './schemas';

/** Capture, refund and cancel: the rest of a charge's life, each exactly once however often it is asked. */
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

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/charges/:event_id/refund',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Refund a succeeded charge (all or part), once per refund_id',
        description:
          "201 creates the refund at Stripe; 200 with duplicate=true repeats an earlier identical request; 400 for an amount Stripe does not take in the charge's currency (ISK and UGX: whole units, divisible by 100; three-decimal currencies: ending in 0); 409 for a charge that has not succeeded or a refund_id reused with another body; 422 when the amount exceeds what is left to refund. Refunds are taken for the whole refund window after the charge succeeded, also once its workflow is no longer retained: the charge is then looked up at Stripe first (by the event_id in the PaymentIntent's metadata), and the same answers come from what Stripe says; 404 when Stripe has no payment for the event_id; 202 when the request is durably held but Stripe has not answered yet: send the same request again after Retry-After for its answer.",
        params: eventIdParamsSchema,
        body: refundRequestSchema,
        operationId: 'refundCharge',
        response: {
          200: {
            ...refundAnswerSchema,
            description: 'A repeat of an earlier identical request: duplicate=true',
          },
          201: {
            ...refundAnswerSchema,
            description: 'The refund was created at Stripe (its status as Stripe says)',
          },
          202: {
            ...refundHeldSchema,
            description:
              'The charge is no longer retained and is being looked up at Stripe: the request is held and will be decided; repeat it (same refund_id and body) for its answer',
            headers: RETRY_AFTER_HEADER,
          },
          400: errorAnswer(
            "Invalid event_id or body (a key given twice, or an amount Stripe does not take in the charge's currency); `errors` names each field",
          ),
          401: errorAnswer('No or wrong bearer token'),
          404: errorAnswer('No charge with that event_id (neither retained here nor known to Stripe)'),
          409: errorAnswer(
            'charge_not_refundable (the charge has not succeeded), refund_window_closed, or refund_id_conflict (the refund_id was used with another body)',
          ),
          ...JSON_BODY_ERRORS,
          422: errorAnswer('refund_exceeds_remainder: the amount exceeds what is left to refund'),
          503: errorAnswer(
            'Temporal cannot be reached (or Stripe refused to look up a charge that is no longer retained); retry after Retry-After seconds',
            RETRY_AFTER_HEADER,
          ),
        },
      },
    },
    async (request, reply) => {
      const eventId = request.params.event_id;
      request.log = request.log.child({ event_id: eventId, refund_id: request.body.refund_id });
      const answer = (outcome: RefundOutcome) => {
        if (outcome.kind === 'window_closed') {
          throw refusalError(REFUND_WINDOW_CLOSED, 'the refund window of this charge has closed');
        }
        if (outcome.kind === 'rejected') throw refusalError(outcome.type, outcome.message);
        if (outcome.kind === 'held') {
          request.log.info('refund held while the charge is looked up at Stripe');
          return reply
            .code(202)
            .header('retry-after', String(RETRY_AFTER_SECONDS))
            .send({
              event_id: eventId,
              refund_id: request.body.refund_id,
              status: 'held' as const,
              message:
                'the charge is no longer retained here and is being looked up at Stripe; the request is held and will be decided: send it again for its answer',
            });
        }
        request.log.info({ refund_status: outcome.value.refund.status }, 'refund accepted');
        return reply.code(outcome.value.duplicate ? 200 : 201).send({ event_id: eventId, ...outcome.value });
      };
      const charge = await charges.getState(eventId);
      if (charge === undefined) {
        // The ChargeWorkflow is gone (retention) or never was: the refunds workflow asks Stripe.
        return answer(
          await charges.refund(
            { charge: null, event_id: eventId, window_seconds: opts.refundWindowSeconds },
            request.body,
          ),
        );
      }
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
      // A manual-capture charge is refunded from what was captured, not from what was asked.
      const captured = charge.capture?.amount_captured;
      const refundable = captured != null ? { ...charge, amount: captured } : charge;
      return answer(
        await charges.refund({ charge: refundable, window_seconds: opts.refundWindowSeconds }, request.body),
      );
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/charges/:event_id/capture',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Capture an authorized (capture: manual) charge, all or part of the hold, once',
        description:
          '200 with the charge, succeeded for the captured amount (`capture.amount_captured`); a repeat, or a capture sent while one is under way, answers the same capture (Stripe captures once per charge). 409 charge_not_authorized for a charge that is not authorized (or was created with automatic capture), authorization_expired once the hold expired (the message names when), capture_refused when Stripe refused it; 422 capture_exceeds_capturable above `capture.amount_capturable`; 503 with Retry-After when the capture could not be confirmed in time (it goes on: retry to get its answer).',
        params: eventIdParamsSchema,
        body: captureRequestSchema,
        operationId: 'captureCharge',
        response: {
          200: { ...chargeRecordSchema, description: 'The captured charge (also for a repeat)' },
          400: errorAnswer('Malformed event_id or body; `errors` names each field'),
          401: errorAnswer('No or wrong bearer token'),
          404: errorAnswer('No charge with that event_id'),
          409: errorAnswer(
            'charge_not_authorized, authorization_expired (names the expiry) or capture_refused',
          ),
          ...JSON_BODY_ERRORS,
          422: errorAnswer('capture_exceeds_capturable: the amount exceeds what the authorization holds'),
          503: errorAnswer(
            'Temporal cannot be reached, or the capture is not confirmed yet; retry after Retry-After seconds',
            RETRY_AFTER_HEADER,
          ),
        },
      },
      // No body means "all of it", as `{}` does (the schema still checks any body that is sent).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const eventId = request.params.event_id;
      request.log = request.log.child({ event_id: eventId });
      const outcome = await charges.capture(eventId, request.body);
      if (outcome.kind === 'ok') {
        request.log.info({ amount_captured: outcome.value.capture?.amount_captured }, 'charge captured');
        return outcome.value;
      }
      if (outcome.kind === 'rejected') throw refusalError(outcome.type, outcome.message);
      // The workflow has ended: its final state decides (a repeated capture is answered again).
      const charge = await existingCharge(eventId);
      if (charge.status === 'succeeded' && charge.capture?.amount_captured != null) return charge;
      if (charge.failure?.code === AUTHORIZATION_EXPIRED_CODE) {
        throw refusalError(
          AUTHORIZATION_EXPIRED,
          `the authorization expired (at ${charge.capture?.authorization_expires_at ?? 'an unknown time'}); nothing was captured`,
        );
      }
      throw refusalError(
        CHARGE_NOT_AUTHORIZED,
        `the charge is ${charge.status}; there is nothing to capture`,
      );
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/charges/:event_id/cancel',
    {
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary:
          'Cancel a charge that has not succeeded (pending, processing, requires_action), or void an authorized one',
        description:
          '200 with the canceled charge (also for a repeat); an authorized (manual-capture) charge has its hold voided at Stripe and is announced canceled on payments.failed. 409 for a succeeded charge (refund it instead) or a failed one.',
        params: eventIdParamsSchema,
        operationId: 'cancelCharge',
        response: {
          200: { ...chargeRecordSchema, description: 'The canceled charge (also for a repeat)' },
          400: errorAnswer('Malformed event_id, or a body that is not valid JSON (none is needed)'),
          401: errorAnswer('No or wrong bearer token'),
          404: errorAnswer('No charge with that event_id'),
          409: errorAnswer(
            'charge_succeeded (refund it instead: see `hint`), charge_failed, or Stripe refused to cancel',
          ),
          ...JSON_BODY_ERRORS,
          503: errorAnswer('Temporal cannot be reached; retry after Retry-After seconds', RETRY_AFTER_HEADER),
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
