/**
 * The AsyncAPI document of the Kafka records, checked by the AsyncAPI project's own parser (the
 * validation its CLI and generators run), built from the topic table so every topic has a channel,
 * and served by the gateway beside /openapi.json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Parser, type Diagnostic } from '@asyncapi/parser';
import { asyncApiDocument } from '../../src/contracts/asyncapi';
import { TOPIC_KEYS, TOPICS, type TopicNames } from '../../src/contracts/topics';
import { buildTestApp, DEFAULT_TOPIC_NAMES, type TestApp } from '../support/test-app';

/** Spectral's severities: 0 error, 1 warning, 2 information, 3 hint. */
const ERROR = 0;
const WARNING = 1;
const severityOf = (d: Diagnostic): number => Number(d.severity);

type Json = Record<string, unknown>;

function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity} ${d.code} at ${d.path.join('.')}: ${d.message}`).join('\n');
}

describe('the AsyncAPI document of the Kafka records', () => {
  // Names other than the defaults: the document must follow the configuration in force.
  const renamed = Object.fromEntries(TOPIC_KEYS.map((k) => [k, `shop.${TOPICS[k].default}`])) as TopicNames;
  const document: Json = asyncApiDocument(renamed);

  it("passes the AsyncAPI project's parser with no error and no warning", async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(document as never);
    const problems = diagnostics.filter((d) => severityOf(d) <= WARNING);
    assert.deepEqual(problems, [], describeDiagnostics(problems));
    assert.ok(parsed, describeDiagnostics(diagnostics));
    assert.equal(parsed.version(), '3.0.0');
    // Read back through the parser's model: every channel sends its topic's record.
    const parsedChannels = parsed.channels().all();
    assert.deepEqual(parsedChannels.map((c) => c.address()).sort(), Object.values(renamed).sort());
    for (const channel of parsedChannels) {
      const key = TOPIC_KEYS.find((k) => renamed[k] === channel.address());
      assert.ok(key);
      assert.deepEqual(
        channel
          .messages()
          .all()
          .map((m) => m.name()),
        [TOPICS[key].record.name],
      );
      assert.equal(channel.operations().all()[0]?.action(), 'send');
    }
  });

  it('the parser reports a broken reference, so the check above can fail', async () => {
    const broken = structuredClone(document) as { channels: Record<string, { messages: Json }> };
    const first = broken.channels[TOPIC_KEYS[0] ?? 'completed'];
    assert.ok(first);
    first.messages = { Nothing: { $ref: '#/components/messages/Nothing' } };
    const { diagnostics } = await new Parser().parse(broken as never);
    assert.ok(
      diagnostics.some((d) => severityOf(d) === ERROR),
      `expected an error:\n${describeDiagnostics(diagnostics)}`,
    );
  });

  it("has a channel for every topic of the table, carrying the record contract's headers, payload and example", () => {
    const channels = document['channels'] as Record<string, Json>;
    const messages = (document['components'] as { messages: Record<string, Json> }).messages;
    assert.deepEqual(Object.keys(channels).sort(), [...TOPIC_KEYS].sort());
    for (const key of TOPIC_KEYS) {
      const { record } = TOPICS[key];
      assert.equal(channels[key]?.['address'], renamed[key]);
      const message = messages[record.name];
      assert.ok(message, `${key}: message ${record.name}`);
      assert.deepEqual(message['payload'], record.payload);
      assert.deepEqual(message['headers'], record.headers);
      assert.deepEqual(message['examples'], [
        { name: 'example', headers: record.example.headers, payload: record.example.payload },
      ]);
    }
  });
});

describe('GET /asyncapi.json on the gateway', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => {
    await t.app.close();
  });

  it('serves the document for the topic names in force, without a token, beside /openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/asyncapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(asyncApiDocument(DEFAULT_TOPIC_NAMES))));
    assert.equal((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
  });
});
