/**
 * The codec server (PAYMENTS_MODE=codec-server) speaks Temporal's remote codec protocol: the Web
 * UI and the CLI post payloads as protobuf JSON and get them encoded or decoded, only with a valid
 * token, and a browser only from an allowed origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { toJson, type JsonPayloads } from '../../src/api/codec/protocol';
import { EncryptionCodec, KEY_ID_METADATA } from '../../src/clients/payload-codec';
import { createMetrics } from '../../src/observability/metrics';
import { codecKeys, newCodecKey } from '../support/codec';

const TOKEN = 'codec-server-test-token-0123';
const PREVIOUS_TOKEN = 'codec-server-previous-token-0123';
const UI_ORIGIN = 'http://127.0.0.1:8233';
const KEY = newCodecKey('k1');

const order = { order_id: 'order-codec-server-1', amount: 3131 };
const plainJson = (): JsonPayloads => toJson([defaultPayloadConverter.toPayload(order)]);
const fromBase64 = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

describe('codec server', () => {
  let app: FastifyInstance;
  const logLines: string[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await buildApp({
      logger: pino({ level: 'info' }, sink),
      metrics: createMetrics(),
      readiness: [],
      codecServer: {
        codec: new EncryptionCodec(codecKeys(KEY)),
        tokens: [TOKEN, PREVIOUS_TOKEN],
        corsOrigins: [UI_ORIGIN],
      },
    });
  });
  after(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

  it('encodes with the active key and decodes back, the token as a bearer header (either configured token)', async () => {
    const encoded = await post('/encode', plainJson(), bearer());
    assert.equal(encoded.statusCode, 200, encoded.body);
    const body = encoded.json<JsonPayloads>();
    assert.equal(fromBase64(body.payloads[0]?.metadata?.['encoding']), 'binary/encrypted');
    assert.equal(fromBase64(body.payloads[0]?.metadata?.[KEY_ID_METADATA]), 'k1');
    assert.ok(!fromBase64(body.payloads[0]?.data).includes('order-codec-server-1'));

    const decoded = await post('/decode', body, bearer(PREVIOUS_TOKEN));
    assert.equal(decoded.statusCode, 200, decoded.body);
    assert.deepEqual(decoded.json(), plainJson());
  });

  it('takes the token as the path segment before encode/decode, as the Web UI endpoint carries it, and never logs it', async () => {
    const encoded = (await post('/encode', plainJson(), bearer())).json<JsonPayloads>();
    const res = await post(`/${TOKEN}/decode`, encoded, { 'x-namespace': 'default' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), plainJson());
    const lines = logLines.join('');
    assert.match(lines, /"route":"\/:token\/decode"/);
    assert.ok(!lines.includes(TOKEN), 'the token is in no log line');
  });

  it('refuses a request without a valid token with 401, before reading its body', async () => {
    for (const [url, headers] of [
      ['/decode', {}],
      ['/decode', bearer('not-the-token-0123456789')],
      ['/encode', { authorization: TOKEN }],
      ['/not-the-token-0123456789/decode', {}],
    ] as const) {
      const res = await post(url, { not: 'even payloads' }, headers);
      assert.equal(res.statusCode, 401, `${url} ${JSON.stringify(headers)}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
      assert.equal(res.json<{ error: string }>().error, 'unauthorized');
    }
  });

  it("answers the Web UI's preflight: its origin, POST, and the Authorization, Content-Type and X-Namespace headers", async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: `/${TOKEN}/decode`,
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], UI_ORIGIN);
    assert.equal(res.headers['access-control-allow-methods'], 'POST, OPTIONS');
    assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type, X-Namespace');
    const answer = await post('/decode', plainJson(), { ...bearer(), origin: UI_ORIGIN });
    assert.equal(answer.headers['access-control-allow-origin'], UI_ORIGIN);
  });

  it('gives another origin no CORS permission', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const answer = await post('/decode', plainJson(), { ...bearer(), origin: 'https://evil.example' });
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
  });

  it('names the field that is not base64 (400), and the key id it lacks (422)', async () => {
    const bad = await post(
      '/decode',
      { payloads: [{ metadata: { encoding: '***' }, data: 'e30=' }] },
      bearer(),
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json<{ errors: unknown }>().errors, [
      { field: 'payloads.0.metadata.encoding', reason: 'is not base64' },
    ]);
    const foreign = toJson(
      await new EncryptionCodec(codecKeys(newCodecKey('retired'))).encode([
        defaultPayloadConverter.toPayload(order),
      ]),
    );
    const res = await post('/decode', foreign, bearer());
    assert.equal(res.statusCode, 422);
    const body = res.json<{ error: string; key_id: string; message: string }>();
    assert.equal(body.error, 'undecodable_payload');
    assert.equal(body.key_id, 'retired');
    assert.match(body.message, /key id "retired", which is not in PAYMENTS_CODEC_KEYS/);
  });
});
