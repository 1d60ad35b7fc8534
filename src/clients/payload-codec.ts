/**
 * The payload codec every Temporal client and worker of this service uses: each payload is
 * encrypted (AES-256-GCM) before it leaves the process, so Temporal's history, visibility store
 * and Web UI hold ciphertext. The key id travels in the payload's metadata, so keys rotate by
 * configuration: one key writes, every configured key reads.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKey, CodecKeys } from '../config';

/** The metadata of an encrypted payload (Temporal's convention for encrypted data). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';

/** GCM's recommended nonce size; random per payload (2^32 payloads per key keep collisions negligible). */
const IV_BYTES = 12;
const TAG_BYTES = 16;

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload this process cannot decrypt: the message names the key id so an operator can act. */
export class PayloadDecryptionError extends Error {
  constructor(
    message: string,
    readonly keyId: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly active: CodecKey;

  constructor(config: CodecKeys) {
    this.keys = new Map(config.keys.map((k) => [k.id, k.key]));
    const active = config.keys.find((k) => k.id === config.activeKeyId);
    if (!active) throw new Error(`codec: active key "${config.activeKeyId}" is not among the keys`);
    this.active = active;
  }

  /** The id new payloads are written with. */
  get activeKeyId(): string {
    return this.active.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  /**
   * The whole payload (its metadata too: the encoding says what the data is) is serialised and
   * sealed; the key id is bound as additional data, so a payload cannot be relabelled.
   */
  private encrypt(payload: Payload): Payload {
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
    cipher.setAAD(utf8.encode(this.active.id));
    const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: utf8.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8.encode(this.active.id),
        [CIPHER_METADATA]: utf8.encode(CIPHER),
      },
      data: sealed,
    };
  }

  /** Payloads written before the codec (plain JSON in older histories) pass through unchanged. */
  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.['encoding'];
    if (encoding === undefined || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = idBytes === undefined || idBytes === null ? '' : text.decode(idBytes);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload encrypted with key id "${keyId}", which is not in PAYMENTS_CODEC_KEYS ` +
          `(configured: ${[...this.keys.keys()].join(', ')}); add that key back to read it`,
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated`, keyId);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(utf8.encode(keyId));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `payload does not authenticate with key id "${keyId}": the configured key under that id ` +
          'is not the one it was written with, or the payload was altered',
        keyId,
      );
    }
    const decoded = ProtoPayload.decode(plaintext);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}
