/**
 * The payload codec: what leaves the process is AES-256-GCM ciphertext labelled with its key id;
 * payloads from before the codec pass through; keys rotate by configuration.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../src/clients/payload-codec';
import { failureConverter } from '../../src/clients/failure-converter';
import { codecKeys, newCodecKey } from '../support/codec';

const OLD = newCodecKey('2024-q4');
const NEW = newCodecKey('2025-q1');

const order = { order_id: 'order-codec-7781', amount: 424242, currency: 'usd' };
const plain = (): Payload => defaultPayloadConverter.toPayload(order);
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');
const metadata = (payload: Payload, name: string): string => text(payload.metadata?.[name]);

describe('EncryptionCodec', () => {
  it('encrypts each payload under the active key: binary/encrypted, the key id, no plain text left', async () => {
    const codec = new EncryptionCodec(codecKeys(OLD));
    const [encoded] = await codec.encode([plain()]);
    assert.ok(encoded);
    assert.equal(metadata(encoded, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(metadata(encoded, KEY_ID_METADATA), '2024-q4');
    const everything =
      text(encoded.data) +
      Object.values(encoded.metadata ?? {})
        .map(text)
        .join('');
    for (const clear of ['order-codec-7781', '424242', 'json/plain']) {
      assert.ok(!everything.includes(clear), `"${clear}" does not appear`);
    }
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode([encoded]))[0] ?? {}), order);
  });

  it('never writes the same ciphertext twice for the same value (a fresh nonce each time)', async () => {
    const codec = new EncryptionCodec(codecKeys(OLD));
    const [a, b] = await codec.encode([plain(), plain()]);
    assert.notDeepEqual(a?.data, b?.data);
  });

  it('reads payloads written before the codec (older histories) unchanged', async () => {
    const codec = new EncryptionCodec(codecKeys(OLD));
    const before = plain();
    assert.deepEqual(await codec.decode([before]), [before]);
  });

  it('after a new key is added and made active: reads what the old key wrote, writes with the new one', async () => {
    const [written] = await new EncryptionCodec(codecKeys(OLD)).encode([plain()]);
    const rotated = new EncryptionCodec(codecKeys(`${OLD},${NEW}`, '2025-q1'));
    assert.deepEqual(
      defaultPayloadConverter.fromPayload((await rotated.decode([written ?? {}]))[0] ?? {}),
      order,
    );
    const [fresh] = await rotated.encode([plain()]);
    assert.equal(metadata(fresh ?? {}, KEY_ID_METADATA), '2025-q1');
  });

  it('refuses a payload whose key was removed, naming that key id', async () => {
    const [written] = await new EncryptionCodec(codecKeys(OLD)).encode([plain()]);
    const withoutOld = new EncryptionCodec(codecKeys(NEW));
    await assert.rejects(withoutOld.decode([written ?? {}]), (err: unknown) => {
      assert.ok(err instanceof PayloadDecryptionError);
      assert.equal(err.keyId, '2024-q4');
      assert.match(
        err.message,
        /key id "2024-q4", which is not in PAYMENTS_CODEC_KEYS \(configured: 2025-q1\)/,
      );
      return true;
    });
  });

  it('refuses a payload when the key under its id is another key, or the ciphertext was altered', async () => {
    const [written] = await new EncryptionCodec(codecKeys(OLD)).encode([plain()]);
    assert.ok(written?.data);
    const impostor = new EncryptionCodec(codecKeys(newCodecKey('2024-q4')));
    await assert.rejects(impostor.decode([written]), /does not authenticate with key id "2024-q4"/);

    const altered = { ...written, data: Uint8Array.from(written.data) };
    altered.data[20] = (altered.data[20] ?? 0) ^ 1;
    await assert.rejects(new EncryptionCodec(codecKeys(OLD)).decode([altered]), /does not authenticate/);

    // Relabelled to another configured key's id: the id is authenticated with the data.
    const both = new EncryptionCodec(codecKeys(`${OLD},${NEW}`));
    const relabelled = {
      ...written,
      metadata: { ...written.metadata, [KEY_ID_METADATA]: Buffer.from('2025-q1') },
    };
    await assert.rejects(both.decode([relabelled]), /does not authenticate with key id "2025-q1"/);
  });
});

describe('the failure converter', () => {
  it("encodes a failure's message and stack trace, so the codec encrypts them", () => {
    const failure = failureConverter.errorToFailure(
      new Error('order-codec-7781 was declined'),
      defaultPayloadConverter,
    );
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(failure.stackTrace, '');
    const attributes = defaultPayloadConverter.fromPayload<{ message: string }>(
      failure.encodedAttributes ?? {},
    );
    assert.equal(attributes.message, 'order-codec-7781 was declined');
  });

  it('keeps a payload it cannot decrypt in plain words (key ids only), for the operator who lacks that key', () => {
    const failure = failureConverter.errorToFailure(
      new PayloadDecryptionError('payload encrypted with key id "gone"', 'gone'),
      defaultPayloadConverter,
    );
    assert.equal(failure.message, 'payload encrypted with key id "gone"');
    assert.equal(failure.encodedAttributes, undefined);
  });
});
