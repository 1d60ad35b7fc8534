import {
  Kafka,
  logLevel as KafkaLogLevel,
  type Producer,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import { kafkaSecurityOptions } from './tls';

export function createKafka(config: Pick<Config, 'kafka'>, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    ...kafkaSecurityOptions(config),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    // A couple of quick retries smooth over a leader move; longer outages are Temporal's to retry.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        if (level <= KafkaLogLevel.ERROR) log.error(rest, message);
        else log.warn(rest, message);
      },
  });
}

/** What activities need from Kafka: a send that connects on demand. Tests hand in their own. */
export interface EventProducer {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

/**
 * An idempotent producer (with acks=-1 on every send, a broker-side retry cannot write a record
 * twice) that connects lazily: the worker starts and takes Stripe work while Kafka is still down,
 * and concurrent first sends share one connect instead of racing.
 */
export function createEventProducer(kafka: Kafka): EventProducer {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let connecting: Promise<void> | undefined;
  producer.on(producer.events.DISCONNECT, () => {
    connecting = undefined;
  });
  const ensureConnected = (): Promise<void> => {
    connecting ??= producer.connect().catch((err: unknown) => {
      connecting = undefined;
      throw err;
    });
    return connecting;
  };
  return {
    async send(record) {
      await ensureConnected();
      return producer.send(record);
    },
    async disconnect() {
      connecting = undefined;
      await producer.disconnect();
    },
  };
}
