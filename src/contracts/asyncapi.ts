/**
 * The AsyncAPI 3.0 document of the records this service publishes: one channel per entry of the
 * topic table, at the topic name in force, each carrying its record contract's headers and payload
 * schemas and its example. Built from the table, so a new topic appears here without another edit.
 */
import type { RecordContract } from './schemas/record-contract';
import { TOPIC_KEYS, TOPICS, type TopicNames } from './topics';

/** The Kafka bindings' version this document is written to (AsyncAPI's bindings repository). */
const KAFKA_BINDING_VERSION = '0.5.0';

type Json = { readonly [key: string]: unknown };

function message(record: RecordContract): Json {
  return {
    name: record.name,
    title: record.title,
    summary: `${record.title} (schema_version ${record.schemaVersion})`,
    description: record.description,
    contentType: 'application/json',
    headers: record.headers,
    payload: record.payload,
    bindings: {
      kafka: {
        key: { type: 'string', description: `${record.key.field}: ${record.key.description}` },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [{ name: 'example', headers: record.example.headers, payload: record.example.payload }],
  };
}

export function asyncApiDocument(topics: TopicNames): Json {
  const channels: Record<string, Json> = {};
  const operations: Record<string, Json> = {};
  const messages: Record<string, Json> = {};
  for (const key of TOPIC_KEYS) {
    const { record, meaning } = TOPICS[key];
    messages[record.name] = message(record);
    channels[key] = {
      address: topics[key],
      title: topics[key],
      description: `${meaning}. Configured with ${TOPICS[key].variable}.`,
      messages: { [record.name]: { $ref: `#/components/messages/${record.name}` } },
      bindings: { kafka: { bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[`publish_${key}`] = {
      action: 'send',
      title: `Publish to ${topics[key]}`,
      summary: meaning,
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${record.name}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Bookstore payments service: events',
      version: '1',
      description:
        "The records the payments service publishes to Kafka, one channel per topic. Delivery is at least once: a retried publish writes a record with the same message_id header again, and consumers drop repeats by it. Records of one order share the key (order_id) and so one partition, in order. The producer is idempotent with acks=-1. Read the schema_version header before parsing the value. The same JSON Schemas live beside the topic table in the service's repository (src/contracts/schemas/).",
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
