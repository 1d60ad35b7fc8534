/**
 * The webhook-receiver role: POST /stripe/webhook. Stripe's signed events are verified and translated
 * in src/stripe, then signalled to the charge's (or its refunds', or a dispute's) workflow.
 */
import { isLiveKey } from '../config';
import { createStripeWebhooks } from '../stripe/webhooks';
import type { StartRole } from './shared-parts';

export const start: StartRole = async (shared) => {
  const { config } = shared;
  const temporal = shared.temporal();
  return {
    readiness: [temporal.readiness],
    http: {
      webhook: {
        charges: temporal.charges,
        disputes: temporal.disputes,
        webhooks: createStripeWebhooks(shared.stripe, {
          secrets: config.stripe.webhookSecrets,
          toleranceSeconds: config.stripe.webhookToleranceSeconds,
          livemode: isLiveKey(config.stripe.key),
        }),
        lateSuccessPolicy: config.lateSuccessPolicy,
      },
    },
    // Nothing of its own to stop: the HTTP server and the shared connection are the service's.
    stop: async () => undefined,
  };
};
