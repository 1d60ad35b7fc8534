/**
 * The payload codec as the tests see it: the local key every local process shares (scripts/dev.env:
 * `npm run dev`, the local stack's codec server that the Web UI calls, the services tests start),
 * a data converter for the tests' own Temporal clients, and keys made up for rotation tests.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { readEnvFile } from '../../scripts/env-file';
import { temporalDataConverter } from '../../src/clients/data-converter';
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
