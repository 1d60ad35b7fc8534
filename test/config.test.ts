import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config';

const valid = { PAYMENTS_MODE: 'gateway', STRIPE_KEY: 'sk_test_123' };

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
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    assert.equal(config.port, 8080);
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'payments');
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(config.kafka.completedTopic, 'payments.completed');
    assert.equal(config.kafka.failedTopic, 'payments.failed');
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
    const problems = problemsOf({ PAYMENTS_MODE: 'cashier', PORT: 'eighty', STRIPE_API_BASE: 'not a url' });
    assert.equal(problems.length, 4);
    assert.match(
      problems[0] ?? '',
      /^PAYMENTS_MODE: "cashier" is not valid; valid values: gateway, webhook-receiver, worker, all/,
    );
    assert.match(problems[1] ?? '', /^PORT: must be a whole number/);
    assert.match(problems[2] ?? '', /^STRIPE_KEY: is required/);
    assert.match(problems[3] ?? '', /^STRIPE_API_BASE: must be an absolute http\(s\) URL/);
  });

  it('lists the valid modes when PAYMENTS_MODE is missing', () => {
    const problems = problemsOf({ STRIPE_KEY: 'sk_test_123' });
    assert.deepEqual(problems, [
      'PAYMENTS_MODE: is required; valid values: gateway, webhook-receiver, worker, all',
    ]);
  });

  it('never echoes a malformed Stripe key', () => {
    const secretLooking = 'pk_live_51Habcdefghijklmnop';
    const problems = problemsOf({ ...valid, STRIPE_KEY: secretLooking });
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]?.includes(secretLooking));
  });

  it('requires a webhook secret where webhooks are received', () => {
    const problems = problemsOf({ ...valid, PAYMENTS_MODE: 'all' });
    assert.deepEqual(problems, [
      'STRIPE_WEBHOOK_SECRET: is required in mode all (one or more whsec_… secrets, comma-separated)',
    ]);
  });

  it('rejects out-of-range ports and malformed broker lists', () => {
    const problems = problemsOf({ ...valid, PORT: '70000', KAFKA_BROKERS: 'localhost' });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /PORT: must be between 0 and 65535 \(got 70000\)/);
    assert.match(problems[1] ?? '', /KAFKA_BROKERS: must be a comma-separated list of host:port/);
  });
});
