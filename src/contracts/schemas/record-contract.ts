/**
 * What a consumer team needs to know about the records on one topic, in one object: the JSON Schema
 * (draft-07, the dialect AsyncAPI 3.0 schemas extend) of the value and of the headers, what the key
 * holds, and an example. The topic table (src/contracts/topics.ts) names one per topic; the AsyncAPI
 * document (src/contracts/asyncapi.ts) and the tests that read records back are built from it.
 * Pure data: the workflow bundle imports the topic table.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface RecordContract<Payload = unknown> {
  /** The record type's name, as the topic table and the AsyncAPI document's messages call it. */
  readonly name: string;
  /** The `schema_version` header of every record of this type. */
  readonly schemaVersion: string;
  readonly title: string;
  readonly description: string;
  /** What the Kafka key holds (one order's records stay in one partition, in order). */
  readonly key: { readonly field: string; readonly description: string };
  readonly headers: JsonSchema;
  readonly payload: JsonSchema;
  /** Typed by the record's TypeScript interface, and validated against `payload` by a test. */
  readonly example: { readonly headers: Readonly<Record<string, string>>; readonly payload: Payload };
}

/** The failure of a charge or a refund, as Stripe explained it (or as the service decided it). */
export const FAILURE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: {
    code: {
      type: 'string',
      minLength: 1,
      description:
        "Stripe's error or decline code (card_declined, …), or the service's own: amount_mismatch, canceled, payment_intent_canceled, …",
    },
    message: { type: 'string', description: 'For people; never parse it' },
    decline_code: { type: 'string', description: "The card issuer's reason, when Stripe gives one" },
  },
} as const;

/** Headers every record carries (values are UTF-8 strings). */
export function headersSchema(
  schemaVersion: string,
  statuses: readonly string[],
  extra: Readonly<Record<string, JsonSchema>> = {},
): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['event_id', 'message_id', 'schema_version', 'status', ...Object.keys(extra)],
    properties: {
      event_id: { type: 'string', description: 'The order event the record is about (as in the value)' },
      message_id: {
        type: 'string',
        description:
          'The same on every retry of the same outcome: a consumer that has seen it drops the record',
      },
      schema_version: {
        type: 'string',
        const: schemaVersion,
        description: 'Read it before parsing the value; bumped on any incompatible change',
      },
      status: { type: 'string', enum: [...statuses], description: "The value's status" },
      traceparent: {
        type: 'string',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description:
          "W3C Trace Context of the publish: continue it to join the charge's trace (absent when the record was written untraced)",
      },
      tracestate: { type: 'string', description: 'W3C Trace Context vendor state, when the trace has any' },
      ...extra,
    },
  };
}
