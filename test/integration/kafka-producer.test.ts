/** src/clients/kafka.ts against the real broker of the local stack (hence here, with the stack's tests). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createEventProducer, createKafka } from '../../src/clients/kafka';
import { loadConfig } from '../../src/config';
import { PAYMENT_EVENT_V1 } from '../../src/contracts/schemas/payment-event.v1';
import { readRecordsFor } from '../support/kafka-reader';
import { stack } from '../support/stack';
import { LOCAL_CODEC_KEYS } from '../support/codec';

describe("the project's Kafka producer", () => {
  it('writes a record that a kafkajs consumer reads back from the real broker', async () => {
    const config = loadConfig({
      PAYMENTS_MODE: 'worker',
      STRIPE_KEY: 'sk_test_kafka',
      PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
      KAFKA_BROKERS: stack.kafkaBrokers,
    });
    const producer = createEventProducer(createKafka(config, pino({ level: 'silent' })));
    const eventId = `evt-kafka-${randomUUID()}`;
    // A record of the topic's contract (the reader checks every record it returns against it).
    const { example } = PAYMENT_EVENT_V1;
    const value = { ...example.payload, event_id: eventId, order_id: 'order-k' };
    const headers = { ...example.headers, event_id: eventId, message_id: `charge:${eventId}:succeeded` };
    try {
      await producer.send({
        topic: config.kafka.topics.completed,
        acks: -1,
        messages: [{ key: 'order-k', value: JSON.stringify(value), headers }],
      });
    } finally {
      await producer.disconnect();
    }
    const records = await readRecordsFor([config.kafka.topics.completed], new Set([eventId]));
    assert.equal(records.length, 1);
    assert.equal(records[0]?.key, 'order-k');
    assert.deepEqual(records[0]?.value, value);
    assert.deepEqual(records[0]?.headers, headers);
  });
});
