/**
 * npm run consume [-- --follow]
 *
 * Prints every record on the service's topics (the one topic table: completed, failed, authorized,
 * refunded, refund_failed, disputed), key, headers and value, from the beginning. Without --follow it
 * stops at the end of each topic.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_KEYS, TOPICS as TOPIC_TABLE } from '../src/contracts/topics';
import { devEnv } from './dev-env';

async function main(): Promise<void> {
  const follow = process.argv.includes('--follow');
  const env = devEnv();
  // The names in force locally: an override in the dev environment, else the table's default.
  const TOPICS = TOPIC_KEYS.map((key) => env[TOPIC_TABLE[key].variable] ?? TOPIC_TABLE[key].default);
  const kafka = new Kafka({
    clientId: 'payments-consume',
    brokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Set<string>();
  const ends = new Map<string, bigint>();
  for (const topic of TOPICS) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > 0n) pending.add(`${topic}/${partition}`);
      ends.set(`${topic}/${partition}`, BigInt(high));
    }
  }
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `payments-consume-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: TOPICS, fromBeginning: true });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  if (!follow && pending.size === 0) done();
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      process.stdout.write(
        `${topic}[${partition}]@${message.offset} key=${message.key?.toString() ?? ''} headers=${JSON.stringify(headers)}\n  ${message.value?.toString() ?? ''}\n`,
      );
      const id = `${topic}/${partition}`;
      if (BigInt(message.offset) + 1n >= (ends.get(id) ?? 0n)) pending.delete(id);
      if (!follow && pending.size === 0) done();
    },
  });
  if (follow) {
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  } else {
    await finished;
  }
  await consumer.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`consume: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
