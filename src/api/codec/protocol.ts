/**
 * Temporal's remote codec protocol: `{ "payloads": [ { "metadata": { name: base64 }, "data": base64 } ] }`,
 * the protobuf JSON form of `temporal.api.common.v1.Payloads` (bytes as base64), both ways.
 */
import type { Payload } from '@temporalio/common';
import type { FieldError } from '../errors';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface JsonPayloads {
  payloads: JsonPayload[];
}

/** The request body schema: shape only; base64 is checked when it is read. */
export const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          data: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Standard or URL-safe base64, as protobuf JSON parsers accept. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytes(value: string, field: string, errors: FieldError[]): Uint8Array {
  if (!BASE64.test(value)) {
    errors.push({ field, reason: 'is not base64' });
    return new Uint8Array();
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** The payloads of a request, or the fields that are not base64. */
export function fromJson(body: JsonPayloads): { payloads: Payload[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const payloads = body.payloads.map((p, i) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([name, value]) => [
        name,
        bytes(value, `payloads.${i}.metadata.${name}`, errors),
      ]),
    ),
    data: bytes(p.data ?? '', `payloads.${i}.data`, errors),
  }));
  return { payloads, errors };
}

export function toJson(payloads: readonly Payload[]): JsonPayloads {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([name, value]) => [
          name,
          Buffer.from(value).toString('base64'),
        ]),
      ),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
