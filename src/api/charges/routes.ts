import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import type { ChargeRequest, ChargeStatus, ChargeTiming } from '../../contracts/charge';
import { amountProblem, currencyProblem } from '../../contracts/currency';
import type { Metrics } from '../../observability/metrics';
import { HttpError } from '../errors';
import { bearerAuth } from './bearer-auth';
import { KNOWN_CHARGES_CAPACITY, KnownCharges } from './known-charges';
import { startOrFind } from './start-or-find';
import { payloadHash } from './payload-hash';
import {
  chargeAcceptedSchema,
  chargeRecordSchema,
  chargeRequestSchema,
  errorResponseSchema,
  eventIdParamsSchema,
} from './schemas';

export const CHARGE_BODY_LIMIT_BYTES = 64 * 1024;

const LOCATION_HEADER = {
  location: { type: 'string', description: 'The status URL (GET /charges/{event_id})' },
} as const;

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

type ChargeBody = Omit<ChargeRequest, 'currency'> & { currency: string };

function invalid(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_request', `${field} ${reason}`, [{ field, reason }]);
}

/**
 * The request as it will be charged, or a 400 naming the field: what Stripe would refuse is refused
 * here, before a 202, rather than failing at Stripe after the dispatcher was told it was accepted.
 */
function normalise(body: ChargeBody): ChargeRequest {
  const currency = body.currency.toLowerCase();
  if (!ISO_CURRENCIES.has(currency)) throw invalid('currency', 'is not an ISO 4217 currency code');
  const currencyRefused = currencyProblem(currency);
  if (currencyRefused !== undefined) throw invalid('currency', currencyRefused);
  const amountRefused = amountProblem(body.amount, currency);
  if (amountRefused !== undefined) throw invalid('amount', amountRefused);
  return { ...body, currency };
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
  return reply
    .code(code)
    .header('location', statusUrl(eventId))
    .send({
      event_id: eventId,
      workflow_id: charge.workflowId,
      run_id: charge.runId,
      status: charge.status,
      status_url: statusUrl(eventId),
      duplicate: charge.duplicate,
    });
}

export async function chargeRoutes(
  app: FastifyInstance,
  opts: { charges: ChargeWorkflows; metrics: Metrics; apiTokens: readonly string[]; timing: ChargeTiming },
): Promise<void> {
  const { charges, metrics } = opts;
  const known = new KnownCharges(KNOWN_CHARGES_CAPACITY);
  // Every route of this plugin (and only these: health and metrics stay open) needs a caller token.
  app.addHook('onRequest', bearerAuth(opts.apiTokens));

  app.post<{ Body: ChargeBody }>(
    '/charge',
    {
      bodyLimit: CHARGE_BODY_LIMIT_BYTES,
      schema: {
        tags: ['charges'],
        security: [{ bearerAuth: [] }],
        summary: 'Charge an order once per event_id',
        description:
          '202 starts a new charge; 200 with duplicate=true answers a repeat of the same request; 409 means the event_id was used with another payload.',
        body: chargeRequestSchema,
        operationId: 'createCharge',
        response: {
          200: {
            ...chargeAcceptedSchema,
            description:
              'A repeat of the same request: the existing charge, its current status, duplicate=true',
            headers: LOCATION_HEADER,
          },
          202: {
            ...chargeAcceptedSchema,
            description: 'A new charge was durably started (its workflow exists), duplicate=false',
            headers: LOCATION_HEADER,
          },
          400: { ...errorResponseSchema, description: 'Invalid body; `errors` names each field and reason' },
          401: { ...errorResponseSchema, description: 'No or wrong bearer token' },
          409: {
            ...errorResponseSchema,
            description: 'The event_id was already used with a different payload',
          },
          413: { ...errorResponseSchema, description: 'Body over 64 KiB' },
          503: {
            ...errorResponseSchema,
            description: 'Temporal cannot be reached; nothing was started; retry after Retry-After seconds',
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' } },
          },
        },
      },
    },
    async (request, reply) => {
      const charge = normalise(request.body);
      const hash = payloadHash(charge);
      request.log = request.log.child({ event_id: charge.event_id, order_id: charge.order_id });

      const found = await startOrFind(charges, known, {
        request: charge,
        payload_hash: hash,
        timing: opts.timing,
      });
      if (found.kind === 'started') {
        metrics.charges.inc({ outcome: 'started' });
        request.log.info({ workflow_id: found.workflowId }, 'charge accepted');
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
      return sendAccepted(reply, 200, charge.event_id, { ...existing, duplicate: true });
    },
  );

  app.get<{ Params: { event_id: string } }>(
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
            description: "The charge's current state (with refunds once it succeeded)",
          },
          400: { ...errorResponseSchema, description: 'Malformed event_id' },
          401: { ...errorResponseSchema, description: 'No or wrong bearer token' },
          404: { ...errorResponseSchema, description: 'No charge with that event_id' },
          503: { ...errorResponseSchema, description: 'Temporal cannot be reached; retry later' },
        },
      },
    },
    async (request) => {
      request.log = request.log.child({ event_id: request.params.event_id });
      const record = await charges.getState(request.params.event_id);
      if (record === undefined) throw new HttpError(404, 'not_found', 'no charge with that event_id');
      if (record.status !== 'succeeded') return record;
      const refunds = await charges.getRefunds(request.params.event_id);
      return { ...record, refunds: refunds?.refunds ?? [], refunded_amount: refunds?.refunded_amount ?? 0 };
    },
  );
}
