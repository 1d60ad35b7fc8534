/**
 * HTTP ceilings (a child process): a no-op Fastify route, and a direct, non-durable charge - one
 * route that creates the PaymentIntent with the service's own Stripe client options and produces
 * with the service's own Kafka producer (idempotent, acks -1), with no Temporal: what a user would
 * build without us. No auth, schema or logging: an upper bound, not a product.
 */
import Fastify from 'fastify';
import type Stripe from 'stripe';
import { createEventProducer, createKafka } from '../../src/clients/kafka';
import { createStripeClient } from '../../src/stripe/client';
import { loadConfig } from '../../src/config';
import { paymentIntentIdempotencyKey, type ChargeRequest } from '../../src/contracts/charge';
import { createLogger } from '../../src/observability/logger';

const DIRECT_TOPIC = 'bench.direct-charge';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const stripe = createStripeClient(config);
  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: DIRECT_TOPIC, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = createEventProducer(kafka);

  const app = Fastify({ logger: false });
  app.post('/noop', async () => ({ ok: true }));
  app.post<{ Body: ChargeRequest }>('/direct-charge', async (request) => {
    const charge = request.body;
    const params: Stripe.PaymentIntentCreateParams = {
      amount: charge.amount,
      currency: charge.currency,
      metadata: { ...charge.metadata, event_id: charge.event_id, order_id: charge.order_id },
    };
    const pi = await stripe.paymentIntents.create(params, {
      idempotencyKey: paymentIntentIdempotencyKey(charge.event_id),
    });
    await producer.send({
      topic: DIRECT_TOPIC,
      acks: -1,
      messages: [
        {
          key: charge.order_id,
          value: JSON.stringify({ event_id: charge.event_id, payment_intent_id: pi.id, status: pi.status }),
          headers: { event_id: charge.event_id },
        },
      ],
    });
    return { payment_intent_id: pi.id };
  });
  await app.listen({ port: config.port, host: config.host });
  // Connect now, so the first measured request does not pay for it.
  await producer.send({ topic: DIRECT_TOPIC, acks: -1, messages: [{ key: 'warm', value: 'warm' }] });

  const stop = (): void => {
    void app
      .close()
      .then(() => producer.disconnect())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop); // the bench died: do not outlive it
  process.send?.({ type: 'ready', data: {} });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench http server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
