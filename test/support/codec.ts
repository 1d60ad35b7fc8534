/**
 * The payload codec as the tests see it: the local key every local process shares (scripts/dev.env:
 * `npm run dev`, the local stack's codec server that the Web UI calls, the services tests start),
 * a data converter for the tests' own Temporal clients, and keys made up for rotation tests.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { readEnvFile } from '../../scripts/env-file';
import { temporalDataConverter } from '../../src/clients/data-converter';
import { EncryptionCodec } from '../../src/clients/payload-codec';
import { loadConfig, type CodecKeys } from '../../src/config';
import { REPO_ROOT } from './repo';

const DEV_ENV = readEnvFile(path.join(REPO_ROOT, 'scripts/dev.env'));

function devValue(name: 'PAYMENTS_CODEC_KEYS' | 'CODEC_SERVER_TOKEN'): string {
  const value = DEV_ENV[name];
  if (value === undefined || value === '') throw new Error(`scripts/dev.env does not set ${name}`);
  return value;
}

/** PAYMENTS_CODEC_KEYS of every local process. */
export const LOCAL_CODEC_KEYS = devValue('PAYMENTS_CODEC_KEYS');
/** CODEC_SERVER_TOKEN of the local stack's codec server. */
export const LOCAL_CODEC_SERVER_TOKEN = devValue('CODEC_SERVER_TOKEN');

/** The codec configuration of PAYMENTS_CODEC_KEYS (and PAYMENTS_CODEC_ACTIVE_KEY_ID), as config.ts parses it. */
export function codecKeys(keys: string, activeKeyId?: string): CodecKeys {
  return loadConfig({
    PAYMENTS_MODE: 'codec-server',
    CODEC_SERVER_TOKEN: LOCAL_CODEC_SERVER_TOKEN,
    PAYMENTS_CODEC_KEYS: keys,
    ...(activeKeyId !== undefined ? { PAYMENTS_CODEC_ACTIVE_KEY_ID: activeKeyId } : {}),
  }).codec;
}

/** The data converter of every local process, for a test's own Temporal client or replayer. */
export function localDataConverter(): DataConverter {
  return temporalDataConverter(codecKeys(LOCAL_CODEC_KEYS));
}

/** `id:base64` of a fresh random 32-byte key. */
export function newCodecKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

function isPayload(node: object): node is Payload {
  return 'metadata' in node && (node as { data?: unknown }).data instanceof Uint8Array;
}

/**
 * Every payload inside `value` (a history, an event, a describe answer), decoded by `codec` in
 * place: what a reader holding the keys sees. Payloads the codec did not write pass through.
 */
export async function decodePayloadsIn<T extends object>(value: T, codec: PayloadCodec): Promise<T> {
  const found: Array<{ holder: Record<string, unknown>; key: string; payload: Payload }> = [];
  const visit = (node: unknown, holder: Record<string, unknown> | undefined, key: string): void => {
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    if (holder && isPayload(node)) {
      found.push({ holder, key, payload: node });
      return;
    }
    for (const [childKey, child] of Object.entries(node)) {
      visit(child, node as Record<string, unknown>, childKey);
    }
  };
  visit(value, undefined, '');
  const decoded = await codec.decode(found.map((f) => f.payload));
  found.forEach((f, i) => (f.holder[f.key] = decoded[i]));
  return value;
}

/** The codec of every local process (scripts/dev.env's keys). */
export function localCodec(): EncryptionCodec {
  return new EncryptionCodec(codecKeys(LOCAL_CODEC_KEYS));
}
