import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { assertRecordMatchesContract } from './record-schemas';
import { stack } from './stack';

export interface ReadRecord {
  readonly topic: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: Record<string, unknown>;
  readonly offset: string;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

export function testKafka(): Kafka {
  return new Kafka({
    clientId: `test-${randomUUID()}`,
    brokers: stack.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

/**
 * Reads every record of the topics up to their current end (high watermarks taken at call time) and
 * returns those whose `event_id` header matches. Reading to a known end, instead of waiting "a
 * while", is what lets a test say "exactly one record" without a sleep. Every record returned has
 * been checked against its topic's published contract (test/support/record-schemas.ts): one that
 * does not match fails the read, so no test can consume a record consumers could not parse.
 */
export async function readRecordsFor(
  topics: readonly string[],
  eventIds: ReadonlySet<string>,
): Promise<ReadRecord[]> {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, Map<number, bigint>>();
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
    }
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set<string>();
  for (const [topic, partitions] of ends) {
    for (const [partition, high] of partitions) if (high > 0n) remaining.add(`${topic}/${partition}`);
  }
  const found: ReadRecord[] = [];
  if (remaining.size === 0) return found;

  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`did not reach the end of ${topics.join(', ')}`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const headers = decodeHeaders(message.headers);
            if (eventIds.has(headers['event_id'] ?? '')) {
              found.push({
                topic,
                key: message.key?.toString('utf8') ?? '',
                headers,
                value: JSON.parse(message.value?.toString('utf8') ?? 'null') as Record<string, unknown>,
                offset: message.offset,
              });
            }
            const high = ends.get(topic)?.get(partition) ?? 0n;
            if (BigInt(message.offset) + 1n >= high) remaining.delete(`${topic}/${partition}`);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  for (const record of found) assertRecordMatchesContract(record.topic, record.headers, record.value);
  return found;
}
