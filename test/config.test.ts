import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, isLiveKey, loadConfig, modeRoles } from '../src/config';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

const valid = {
  PAYMENTS_MODE: 'gateway',
  STRIPE_KEY: 'sk_test_123',
  CHARGE_API_TOKEN: 'token-0123456789abcdef',
  PAYMENTS_CODEC_KEYS: `a:${KEY_A}`,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it("keeps Stripe calls under Stripe's limit by default: 20/s with a test key, 80/s with a live one", () => {
    assert.equal(loadConfig(valid).stripe.maxRequestsPerSecond, 20);
    assert.equal(loadConfig({ ...valid, STRIPE_KEY: 'rk_live_abc' }).stripe.maxRequestsPerSecond, 80);
    assert.equal(
      loadConfig({ ...valid, STRIPE_MAX_REQUESTS_PER_SECOND: '5' }).stripe.maxRequestsPerSecond,
      5,
    );
    assert.match(
      problemsOf({ ...valid, STRIPE_MAX_REQUESTS_PER_SECOND: '0' })[0] ?? '',
      /^STRIPE_MAX_REQUESTS_PER_SECOND: must be between 1 and 10000/,
    );
  });

  it('knows a live key (real money) from a test key, secret or restricted alike', () => {
    assert.ok(isLiveKey('sk_live_abc') && isLiveKey('rk_live_abc'));
    for (const key of ['sk_test_abc', 'rk_test_abc', 'pk_live_abc', 'xsk_live_abc', '']) {
      assert.equal(isLiveKey(key), false, key);
    }
  });

  it('reads CHARGE_DEDUPE_WINDOW as a duration, and names the variable when it is not one', () => {
    assert.equal(loadConfig({ ...valid, CHARGE_DEDUPE_WINDOW: '192h' }).dedupeWindowSeconds, 192 * 3600);
    assert.equal(loadConfig({ ...valid, CHARGE_DEDUPE_WINDOW: '10d' }).dedupeWindowSeconds, 10 * 86_400);
    for (const bad of ['8 days', '0d', '-1h', '500d']) {
      assert.match(
        problemsOf({ ...valid, CHARGE_DEDUPE_WINDOW: bad })[0] ?? '',
        /^CHARGE_DEDUPE_WINDOW: must be a duration/,
      );
    }
  });

  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1', 'loopback unless HOST says otherwise');
    assert.equal(config.dedupeWindowSeconds, 8 * 86_400, "longer than Kafka's default 7-day retention");
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'payments');
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(config.kafka.topics.completed, 'payments.completed');
    assert.equal(config.kafka.topics.failed, 'payments.failed');
    assert.equal(config.stripe.apiBase, undefined);
    assert.ok(Object.isFrozen(config.stripe));
  });

  it('honours scheme, host and port of STRIPE_API_BASE', () => {
    const config = loadConfig({ ...valid, STRIPE_API_BASE: 'http://127.0.0.1:12111' });
    assert.deepEqual(config.stripe.apiBase, { protocol: 'http', host: '127.0.0.1', port: 12111 });
    const https = loadConfig({ ...valid, STRIPE_API_BASE: 'https://stripe.internal' });
    assert.deepEqual(https.stripe.apiBase, { protocol: 'https', host: 'stripe.internal', port: 443 });
  });

  it('accepts several webhook secrets for rotation', () => {
    const config = loadConfig({
      ...valid,
      PAYMENTS_MODE: 'webhook-receiver',
      STRIPE_WEBHOOK_SECRET: 'whsec_old, whsec_new',
    });
    assert.deepEqual(config.stripe.webhookSecrets, ['whsec_old', 'whsec_new']);
  });

  it('names every bad variable at once, with the reason', () => {
    const problems = problemsOf({
      PAYMENTS_MODE: 'cashier',
      PORT: 'eighty',
      STRIPE_API_BASE: 'not a url',
      CHARGE_API_TOKEN: 'x',
      PAYMENTS_CODEC_KEYS: valid.PAYMENTS_CODEC_KEYS,
    });
    assert.equal(problems.length, 5);
    assert.match(problems[4] ?? '', /^CHARGE_API_TOKEN: every token must be at least 16 characters/);
    assert.match(
      problems[0] ?? '',
      /^PAYMENTS_MODE: "cashier" is not valid; valid values: gateway, webhook-receiver, worker, all, codec-server/,
    );
    assert.match(problems[1] ?? '', /^PORT: must be a whole number/);
    assert.match(problems[2] ?? '', /^STRIPE_KEY: is required/);
    assert.match(problems[3] ?? '', /^STRIPE_API_BASE: must be an absolute http\(s\) URL/);
  });

  it('lists the valid modes when PAYMENTS_MODE is missing', () => {
    const problems = problemsOf({
      STRIPE_KEY: 'sk_test_123',
      CHARGE_API_TOKEN: valid.CHARGE_API_TOKEN,
      PAYMENTS_CODEC_KEYS: valid.PAYMENTS_CODEC_KEYS,
    });
    assert.deepEqual(problems, [
      'PAYMENTS_MODE: is required; valid values: gateway, webhook-receiver, worker, all, codec-server',
    ]);
  });

  it('never echoes a malformed Stripe key', () => {
    const secretLooking = 'pk_live_51Habcdefghijklmnop';
    const problems = problemsOf({ ...valid, STRIPE_KEY: secretLooking });
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]?.includes(secretLooking));
  });

  it('requires a webhook secret where webhooks are received', () => {
    const problems = problemsOf({ ...valid, PAYMENTS_MODE: 'all', CHARGE_API_TOKEN: '' });
    assert.deepEqual(problems, [
      'STRIPE_WEBHOOK_SECRET: is required in mode all (one or more whsec_… secrets, comma-separated)',
      'CHARGE_API_TOKEN: is required in mode all (one or more bearer tokens, comma-separated)',
    ]);
  });

  it('rejects out-of-range ports and malformed broker lists', () => {
    const problems = problemsOf({ ...valid, PORT: '70000', KAFKA_BROKERS: 'localhost' });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /PORT: must be between 0 and 65535 \(got 70000\)/);
    assert.match(problems[1] ?? '', /KAFKA_BROKERS: must be a comma-separated list of host:port/);
  });

  it('leaves Temporal and Kafka plaintext by default, and turns on mTLS, API key, TLS and SASL when asked', () => {
    const plain = loadConfig(valid);
    assert.equal(plain.temporal.tls, undefined);
    assert.equal(plain.kafka.ssl, undefined);
    assert.equal(plain.kafka.sasl, undefined);
    const secure = loadConfig({
      ...valid,
      TEMPORAL_TLS_CERT_PATH: '/certs/client.pem',
      TEMPORAL_TLS_KEY_PATH: '/certs/client.key',
      TEMPORAL_TLS_CA_PATH: '/certs/ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      KAFKA_SSL_CA_PATH: '/certs/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'payments',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    assert.deepEqual(secure.temporal.tls, {
      clientCertPath: '/certs/client.pem',
      clientKeyPath: '/certs/client.key',
      serverCaPath: '/certs/ca.pem',
      serverName: 'temporal.internal',
    });
    assert.deepEqual(secure.kafka.ssl, { caPath: '/certs/kafka-ca.pem' });
    assert.deepEqual(secure.kafka.sasl, { mechanism: 'scram-sha-512', username: 'payments', password: 'pw' });
    const cloud = loadConfig({ ...valid, TEMPORAL_API_KEY: 'key' });
    assert.ok(cloud.temporal.tls, 'an API key implies TLS');
  });

  it('rejects half-configured mTLS and SASL', () => {
    const problems = problemsOf({
      ...valid,
      TEMPORAL_TLS_CERT_PATH: '/c.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
    assert.match(problems[1] ?? '', /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
  });

  it('reads the payload codec keys: id:base64 of 32 bytes, the first writes unless PAYMENTS_CODEC_ACTIVE_KEY_ID names another', () => {
    const one = loadConfig(valid).codec;
    assert.equal(one.activeKeyId, 'a');
    assert.deepEqual(
      one.keys.map((k) => [k.id, k.key.toString('base64')]),
      [['a', KEY_A]],
    );
    const rotating = loadConfig({
      ...valid,
      PAYMENTS_CODEC_KEYS: ` a:${KEY_A} , 2025.b_1-x:${KEY_B} `,
      PAYMENTS_CODEC_ACTIVE_KEY_ID: '2025.b_1-x',
    }).codec;
    assert.deepEqual(
      rotating.keys.map((k) => k.id),
      ['a', '2025.b_1-x'],
    );
    assert.equal(rotating.activeKeyId, '2025.b_1-x');
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    assert.equal(loadConfig({ ...valid, PAYMENTS_CODEC_KEYS: `u:${urlSafe}` }).codec.keys[0]?.key[0], 0xfb);
  });

  it('refuses a missing or malformed codec key, saying what is wrong and never showing the key', () => {
    const { PAYMENTS_CODEC_KEYS: _, ...withoutKeys } = valid;
    assert.deepEqual(problemsOf(withoutKeys), [
      'PAYMENTS_CODEC_KEYS: is required (one or more id:base64 keys of 32 bytes, comma-separated; e.g. generate one with `openssl rand -base64 32`)',
    ]);
    const short = Buffer.alloc(16, 7).toString('base64');
    const cases: Array<[string, RegExp]> = [
      [KEY_A, /^PAYMENTS_CODEC_KEYS: key 1: must be id:base64/],
      [`a b:${KEY_A}`, /^PAYMENTS_CODEC_KEYS: key 1: must be id:base64/],
      [
        `a:${short}`,
        /^PAYMENTS_CODEC_KEYS: key 1 \("a"\): must be base64 of exactly 32 bytes \(AES-256; got 16 bytes/,
      ],
      [
        `a:not base64!!`,
        /^PAYMENTS_CODEC_KEYS: key 1 \("a"\): must be base64 of exactly 32 bytes \(AES-256; got no valid base64/,
      ],
      [`a:${KEY_A},a:${KEY_B}`, /^PAYMENTS_CODEC_KEYS: key 2: the id "a" is used twice/],
    ];
    for (const [keys, message] of cases) {
      const problems = problemsOf({ ...valid, PAYMENTS_CODEC_KEYS: keys });
      assert.equal(problems.length, 1, keys);
      assert.match(problems[0] ?? '', message);
      for (const material of [KEY_A, KEY_B, short]) assert.ok(!problems[0]?.includes(material));
    }
    assert.deepEqual(problemsOf({ ...valid, PAYMENTS_CODEC_ACTIVE_KEY_ID: 'b' }), [
      'PAYMENTS_CODEC_ACTIVE_KEY_ID: "b" is not one of the ids in PAYMENTS_CODEC_KEYS (a)',
    ]);
  });

  it('runs the codec server alone, with its token and the Web UI origins, and no Stripe key', () => {
    const codecServer = {
      PAYMENTS_MODE: 'codec-server',
      PAYMENTS_CODEC_KEYS: valid.PAYMENTS_CODEC_KEYS,
      CODEC_SERVER_TOKEN: 'codec-token-0123456789, codec-token-previous',
      CODEC_SERVER_CORS_ORIGINS: 'http://127.0.0.1:8233, https://temporal-ui.example.com',
    };
    const config = loadConfig(codecServer);
    assert.deepEqual(modeRoles(config.mode), ['codec-server']);
    assert.deepEqual(modeRoles('all'), ['gateway', 'webhook-receiver', 'worker']);
    assert.deepEqual(config.codecServer.tokens, ['codec-token-0123456789', 'codec-token-previous']);
    assert.deepEqual(config.codecServer.corsOrigins, [
      'http://127.0.0.1:8233',
      'https://temporal-ui.example.com',
    ]);
    const { CODEC_SERVER_TOKEN: _, ...withoutToken } = codecServer;
    assert.deepEqual(problemsOf(withoutToken), [
      'CODEC_SERVER_TOKEN: is required in mode codec-server (one or more bearer tokens, comma-separated)',
    ]);
    assert.deepEqual(problemsOf({ ...codecServer, CODEC_SERVER_TOKEN: 'short' }), [
      'CODEC_SERVER_TOKEN: every token must be at least 16 characters of A-Za-z0-9._~- (values not shown)',
    ]);
    assert.deepEqual(problemsOf({ ...codecServer, CODEC_SERVER_TOKEN: 'has/a/slash/0123456789' }), [
      'CODEC_SERVER_TOKEN: every token must be at least 16 characters of A-Za-z0-9._~- (values not shown)',
    ]);
    assert.deepEqual(problemsOf({ ...codecServer, CODEC_SERVER_CORS_ORIGINS: 'http://127.0.0.1:8233/' }), [
      'CODEC_SERVER_CORS_ORIGINS: "http://127.0.0.1:8233/" is not an origin (scheme://host[:port], no path or trailing slash)',
    ]);
  });

  it('exports no spans unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and takes its base URL without a trailing slash', () => {
    assert.equal(loadConfig(valid).tracing.otlpEndpoint, undefined);
    assert.equal(
      loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.observability:4318/' }).tracing
        .otlpEndpoint,
      'http://collector.observability:4318',
    );
    assert.equal(
      loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/otlp' }).tracing
        .otlpEndpoint,
      'https://otel.example.com/otlp',
    );
  });

  it('refuses an OTEL_EXPORTER_OTLP_ENDPOINT that is not an http(s) URL, naming the variable', () => {
    const problem =
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL without query or credentials, e.g. http://127.0.0.1:4318';
    for (const bad of [
      '127.0.0.1:4318',
      'grpc://127.0.0.1:4317',
      'http://u:p@127.0.0.1:4318',
      'http://h:4318/?x=1',
    ]) {
      assert.deepEqual(problemsOf({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: bad }), [problem], bad);
    }
  });

  it('reads exactly the variables it documents', () => {
    const read = new Set<string>();
    const env: Record<string, string> = { ...valid };
    const recording = new Proxy(env, {
      get(target, name: string) {
        read.add(name);
        return target[name];
      },
    });
    loadConfig(recording);
    assert.deepEqual([...read].sort(), CONFIG_VARIABLES.map((v) => v.name).sort());
  });
});
