import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process, created at start and handed to whoever records. Metric names are the
 * contract with dashboards: a test compares the Grafana queries against a live /metrics.
 */
export function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'payments' });
  collectDefaultMetrics({ register: registry, prefix: 'payments_process_' });

  const httpRequests = new Counter({
    name: 'payments_http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'payments_http_request_duration_seconds',
    help: 'HTTP request latency, by route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const charges = new Counter({
    name: 'payments_charges_total',
    help: 'POST /charge outcomes: started, duplicate, conflict',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const chargeOutcomes = new Counter({
    name: 'payments_charge_outcomes_total',
    help: 'Charges that reached a final status (succeeded, failed, canceled), counted when the event is published',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const webhookEvents = new Counter({
    name: 'payments_webhook_events_total',
    help: 'Stripe webhook deliveries: verified (signalled), rejected (bad signature/body), ignored (not ours)',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  // At 0 from the start: the alert on refused signatures sees the first refusal as an increase.
  webhookEvents.inc({ result: 'rejected', reason: 'signature' }, 0);
  const kafkaPublishDuration = new Histogram({
    name: 'payments_kafka_publish_duration_seconds',
    help: 'Time to publish one payment event to Kafka with acks=-1, by topic and result',
    labelNames: ['topic', 'result'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const kafkaPublishRetries = new Counter({
    name: 'payments_kafka_publish_retries_total',
    help: 'Publish attempts after the first one (the activity being retried by Temporal), by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const stripeRequests = new Counter({
    name: 'payments_stripe_requests_total',
    help: "Stripe API calls (the worker's activities: no other role calls Stripe), by operation, result (ok, retryable, fatal) and error (none, authentication, rate_limited, server_error, network, conflict, declined, invalid_request, unexpected)",
    labelNames: ['operation', 'result', 'error'] as const,
    registers: [registry],
  });
  const stripePace = new Gauge({
    name: 'payments_stripe_pace_requests_per_second',
    help: "The worker's share of STRIPE_MAX_REQUESTS_PER_SECOND: the rate divided by the workers polling the Stripe task queue; its Stripe requests are spaced 1/share s apart",
    registers: [registry],
  });
  const dependencyReady = new Gauge({
    name: 'payments_dependency_ready',
    help: "1 when this role's readiness check of the dependency passed at the scrape (the checks /readyz runs), else 0",
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const chargesOverdue = new Gauge({
    name: 'payments_charges_overdue',
    help: 'Running charges past the time they should have taken (Temporal visibility, counted by the gateway), by reason: no_payment_intent, past_deadline',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  const clientSecretReads = new Counter({
    name: 'payments_transitional_charge_reads_total',
    help: 'Transitional: GETs of a waiting charge started before the workflow kept its client_secret, which the workflow then read once through the Stripe task queue, by outcome (read; not_yet: answered 503, the read goes on). 0 once no such charge is open',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Both series exist from the start (at 0), so a dashboard's rate is defined at once.
  for (const outcome of ['read', 'not_yet'] as const) clientSecretReads.inc({ outcome }, 0);

  return {
    registry,
    httpRequests,
    httpDuration,
    charges,
    chargeOutcomes,
    webhookEvents,
    kafkaPublishDuration,
    kafkaPublishRetries,
    stripeRequests,
    stripePace,
    dependencyReady,
    chargesOverdue,
    clientSecretReads,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
