/**
 * Watches payments.completed and payments.failed from their current end and records, per event_id
 * header, when each charge's outcome was written (the record's timestamp, set by the producing
 * worker) and when the bench read it.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { sleep } from '../test/support/wait';
import { epochOf, now } from './clock';
import { Waiters } from './waiters';

export interface Completion {
  readonly topic: string;
  /** Epoch ms: the record's CreateTime. */
  readonly recordTimestampMs: number;
  /** Epoch ms: when the bench's consumer received it. */
  readonly receivedMs: number;
}

export class CompletionWatcher {
  readonly completions = new Waiters<Completion>();
  /** Records of our charges seen more than once (a retried publish): counted, not an error. */
  repeats = 0;

  private constructor(private readonly consumer: Consumer) {}

  static async start(
    brokers: readonly string[],
    topics: readonly string[],
    prefix: string,
  ): Promise<CompletionWatcher> {
    const kafka = new Kafka({
      clientId: `bench-${randomUUID()}`,
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<string, Array<{ partition: number; offset: string }>>();
    try {
      for (const topic of topics) {
        ends.set(
          topic,
          (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high })),
        );
      }
    } finally {
      await admin.disconnect();
    }

    const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const watcher = new CompletionWatcher(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    const joined = new Promise<void>((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const eventId = message.headers?.['event_id']?.toString();
        if (eventId === undefined || !eventId.startsWith(prefix)) return;
        if (watcher.completions.get(eventId) !== undefined) {
          watcher.repeats++;
          return;
        }
        watcher.completions.put(eventId, {
          topic,
          recordTimestampMs: Number(message.timestamp),
          receivedMs: epochOf(now()),
        });
      },
    });
    // Start exactly at the ends taken above: nothing written after them is missed.
    for (const [topic, partitions] of ends) {
      for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    }
    const timeout = new AbortController();
    const joinedInTime = await Promise.race([
      joined.then(() => true),
      sleep(30_000, timeout.signal).then(() => false),
    ]);
    timeout.abort();
    if (!joinedInTime) {
      await consumer.disconnect();
      throw new Error(`the bench's Kafka consumer did not join its group within 30 s`);
    }
    return watcher;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
