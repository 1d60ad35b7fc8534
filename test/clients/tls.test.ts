import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { kafkaSecurityOptions, temporalConnectionOptions } from '../../src/clients/tls';
import { loadConfig } from '../../src/config';
import { LOCAL_CODEC_KEYS } from '../support/codec';

const base = {
  PAYMENTS_MODE: 'worker',
  STRIPE_KEY: 'sk_test_tls',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  PAYMENTS_CODEC_KEYS: LOCAL_CODEC_KEYS,
};

function pemFiles(): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payments-tls-'));
  const write = (name: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `-----BEGIN ${name}-----\n${name}\n-----END ${name}-----\n`);
    return file;
  };
  return {
    cert: write('client.crt'),
    key: write('client.key'),
    ca: write('ca.crt'),
    kafkaCa: write('kafka-ca.crt'),
  };
}

describe('production connection options reach the clients', () => {
  it('plaintext Temporal and Kafka by default', () => {
    const config = loadConfig(base);
    assert.deepEqual(temporalConnectionOptions(config), { address: 'temporal.internal:7233' });
    assert.deepEqual(kafkaSecurityOptions(config), {});
  });

  it('Temporal mTLS: client pair, server CA and server name read from the configured files', () => {
    const files = pemFiles();
    const options = temporalConnectionOptions(
      loadConfig({
        ...base,
        TEMPORAL_TLS_CERT_PATH: files['cert'] ?? '',
        TEMPORAL_TLS_KEY_PATH: files['key'] ?? '',
        TEMPORAL_TLS_CA_PATH: files['ca'] ?? '',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    const tls = options.tls;
    assert.ok(tls && typeof tls === 'object');
    assert.equal(tls.serverNameOverride, 'temporal.internal');
    assert.deepEqual(Buffer.from(tls.serverRootCACertificate ?? []), fs.readFileSync(files['ca'] ?? ''));
    assert.deepEqual(Buffer.from(tls.clientCertPair?.crt ?? []), fs.readFileSync(files['cert'] ?? ''));
    assert.deepEqual(Buffer.from(tls.clientCertPair?.key ?? []), fs.readFileSync(files['key'] ?? ''));
  });

  it('Temporal API key over TLS (as Temporal Cloud uses)', () => {
    const options = temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_API_KEY: 'cloud-key' }));
    assert.equal(options.apiKey, 'cloud-key');
    assert.deepEqual(options.tls, {});
  });

  it('Kafka TLS with a CA and SASL SCRAM-SHA-512', () => {
    const files = pemFiles();
    const options = kafkaSecurityOptions(
      loadConfig({
        ...base,
        KAFKA_SSL_CA_PATH: files['kafkaCa'] ?? '',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'payments',
        KAFKA_SASL_PASSWORD: 'secret-pw',
      }),
    );
    assert.deepEqual(options.ssl, { ca: [fs.readFileSync(files['kafkaCa'] ?? '', 'utf8')] });
    assert.deepEqual(options.sasl, {
      mechanism: 'scram-sha-512',
      username: 'payments',
      password: 'secret-pw',
    });
  });

  it('Kafka SASL PLAIN over TLS with the system CAs', () => {
    const options = kafkaSecurityOptions(
      loadConfig({
        ...base,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    );
    assert.equal(options.ssl, true);
    assert.deepEqual(options.sasl, { mechanism: 'plain', username: 'u', password: 'p' });
  });
});
