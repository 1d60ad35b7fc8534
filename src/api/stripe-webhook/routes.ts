import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { ProviderWebhooks, RefundEventPayload } from '../../contracts/payment-provider';
import { saysMoneyTaken, type LateSuccessPolicy } from '../../contracts/late-outcome';
import type { Metrics } from '../../observability/metrics';
import { errorResponseSchema } from '../errors';
import { inTraceOf } from '../http-tracing';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import type { DisputeWorkflows } from '../temporal/dispute-workflows';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

async function signalRefunds(
  charges: ChargeWorkflows,
  eventId: string,
  payloads: readonly RefundEventPayload[],
): Promise<'signalled' | 'not_running'> {
  let outcome: 'signalled' | 'not_running' = 'not_running';
  for (const payload of payloads) outcome = await charges.signalRefundEvent(eventId, payload);
  return outcome;
}

const receivedSchema = {
  type: 'object',
  required: ['received'],
  properties: { received: { type: 'boolean' }, ignored: { type: 'string' } },
} as const;

export async function stripeWebhookRoutes(
  app: FastifyInstance,
  opts: {
    charges: ChargeWorkflows;
    disputes: DisputeWorkflows;
    webhooks: ProviderWebhooks;
    metrics: Metrics;
    lateSuccessPolicy: LateSuccessPolicy;
    /** Joins a charge's signal to the charge's trace (see inTraceOf). */
    tracer?: Tracer | undefined;
  },
): Promise<void> {
  const { charges, disputes, webhooks, metrics, lateSuccessPolicy, tracer } = opts;

  // The signature covers the exact bytes Stripe sent: keep them raw, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/stripe/webhook',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      schema: {
        tags: ['stripe'],
        summary: 'Stripe webhook endpoint (signed with Stripe-Signature)',
        headers: { type: 'object', properties: { 'stripe-signature': { type: 'string' } } },
        response: {
          200: receivedSchema,
          400: errorResponseSchema,
          413: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['stripe-signature'];
      const event = webhooks.verify(raw, typeof signature === 'string' ? signature : undefined);
      if (event === undefined) {
        metrics.webhookEvents.inc({ result: 'rejected', reason: 'signature' });
        // Never log the body: it is unauthenticated input and may carry customer data.
        request.log.warn(
          { bytes: raw.length, has_signature: signature !== undefined },
          'webhook signature rejected',
        );
        return reply
          .code(400)
          .send({ error: 'invalid_signature', message: 'webhook signature verification failed', errors: [] });
      }

      const { routed } = event;
      if (routed.kind === 'ignored') {
        metrics.webhookEvents.inc({ result: 'ignored', reason: routed.reason });
        request.log.info(
          { stripe_event_id: event.id, type: event.type, reason: routed.reason },
          'webhook ignored',
        );
        return { received: true, ignored: routed.reason };
      }

      if (routed.kind === 'dispute') {
        // The dispute names no charge of ours: its workflow finds the order (src/workflows/dispute.ts).
        request.log = request.log.child({
          dispute_id: routed.disputeId,
          payment_intent_id: routed.payload.payment_intent_id,
          stripe_event_id: event.id,
          type: event.type,
        });
        // 200 only once Temporal holds the event; unavailable → 503 + Retry-After, and Stripe retries.
        const delivered = await disputes.deliver(routed.payload);
        if (delivered === 'closed') {
          metrics.webhookEvents.inc({ result: 'ignored', reason: 'dispute_closed' });
          request.log.info('webhook for a dispute whose workflow has ended');
          return { received: true, ignored: 'dispute_closed' };
        }
        metrics.webhookEvents.inc({ result: 'verified', reason: 'signalled' });
        request.log.info('webhook signalled to dispute');
        return { received: true };
      }

      // Every later line about this request (the request log included) names the charge.
      request.log = request.log.child({
        event_id: routed.eventId,
        order_id: routed.orderId,
        stripe_event_id: event.id,
        type: event.type,
      });
      const log = request.log;
      const outcome =
        routed.kind === 'charge'
          ? await inTraceOf(tracer, routed.traceparent, `webhook ${event.type}`, () =>
              charges.signalStripeEvent(routed.eventId, routed.payload),
            )
          : await signalRefunds(charges, routed.eventId, routed.payloads);
      if (outcome === 'not_running' && routed.kind === 'charge' && saysMoneyTaken(routed.payload)) {
        // Stripe's word after the close is never dropped: money taken for a charge announced failed
        // or canceled is settled durably (refunded by default) before Stripe hears 2xx.
        const late = await charges.handOverLateEvent(
          routed.eventId,
          routed.orderId,
          routed.payload,
          lateSuccessPolicy,
        );
        if (late === 'started') {
          metrics.webhookEvents.inc({ result: 'verified', reason: 'late_outcome' });
          log.error(
            { policy: lateSuccessPolicy },
            'money taken after the charge ended; late-outcome handling started',
          );
          return { received: true };
        }
      }
      if (outcome === 'not_running') {
        metrics.webhookEvents.inc({ result: 'ignored', reason: 'charge_not_running' });
        log.info('webhook for a charge that is not running');
        return { received: true, ignored: 'charge_not_running' };
      }
      // A running charge hears every event, money taken after it decided failed or canceled included:
      // it hands that to the late-outcome handling itself before it closes (src/workflows/charge.ts).
      metrics.webhookEvents.inc({ result: 'verified', reason: 'signalled' });
      log.info('webhook signalled to charge');
      return { received: true };
    },
  );
}
