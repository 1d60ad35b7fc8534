import type { EventProducer } from '../clients/kafka';
import type Stripe from 'stripe';
import type { Config } from '../config';
import type { Metrics } from '../observability/metrics';
import { createKafkaActivities } from './kafka';
import { createStripeActivities } from './stripe';

export interface ActivityDeps {
  readonly stripe: Stripe;
  readonly producer: EventProducer;
  readonly topics: Config['kafka'];
  readonly metrics?: Metrics;
}

/** The only code that touches Stripe or Kafka; clients come in, so tests can hand in their own. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createStripeActivities({ stripe: deps.stripe, metrics: deps.metrics }),
    ...createKafkaActivities({ producer: deps.producer, topics: deps.topics, metrics: deps.metrics }),
  };
}

export type ChargeActivities = ReturnType<typeof createActivities>;
export type { PaymentIntentOutcome } from './stripe';
