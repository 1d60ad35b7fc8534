import type { Tracer } from '@opentelemetry/api';
import type { EventProducer } from '../clients/kafka';
import type { PaymentProviderActivities } from '../contracts/payment-provider';
import type { TopicNames } from '../contracts/topics';
import type { Metrics } from '../observability/metrics';
import { createKafkaActivities } from './kafka';

export interface ActivityDeps {
  /** The payment provider's activities (src/stripe/ builds Stripe's). */
  readonly provider: PaymentProviderActivities;
  readonly producer: EventProducer;
  readonly topics: TopicNames;
  readonly metrics?: Metrics;
  /** Spans for the Kafka publishes (the API's no-op tracer when absent). */
  readonly tracer?: Tracer;
}

/** Every activity the worker runs; clients come in, so tests can hand in their own. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...deps.provider,
    ...createKafkaActivities({
      producer: deps.producer,
      topics: deps.topics,
      metrics: deps.metrics,
      tracer: deps.tracer,
    }),
  };
}

export type ChargeActivities = ReturnType<typeof createActivities>;
