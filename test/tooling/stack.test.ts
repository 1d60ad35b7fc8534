/**
 * The one stack helper of test/support: which stack it addresses, and the ports it hands
 * scripts/stack/*.sh. No stack is started here: a stack.env in a temporary STACK_DIR is enough.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { stack, stackAddresses, stackDir, stackScriptEnv, stackValue } from '../support/stack';

const VARIABLES = [
  'STACK_DIR',
  'STACK_TEMPORAL_PORT',
  'STACK_TEMPORAL_UI_PORT',
  'STACK_KAFKA_PORT',
  'STACK_KAFKA_CONTROLLER_PORT',
  'STACK_STRIPE_MOCK_PORT',
  'STACK_STRIPE_STANDIN_PORT',
  'STACK_CODEC_SERVER_PORT',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'TEMPORAL_TEST_SERVER_PATH',
  'KAFKA_BROKERS',
  'STRIPE_API_BASE',
  'STRIPE_MOCK_URL',
  'CODEC_SERVER_URL',
] as const;

const STACK_ENV = [
  'TEMPORAL_ADDRESS=127.0.0.1:41233',
  'TEMPORAL_NAMESPACE=default',
  'TEMPORAL_UI_URL=http://127.0.0.1:41234',
  'KAFKA_BROKERS=127.0.0.1:41092',
  'STRIPE_API_BASE=http://127.0.0.1:41112',
  'STRIPE_MOCK_URL=http://127.0.0.1:41111',
  'CODEC_SERVER_URL=http://127.0.0.1:41888',
].join('\n');

describe('the stack helper (test/support/stack.ts)', () => {
  const saved = new Map<string, string | undefined>();
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-helper-'));
    fs.writeFileSync(path.join(dir, 'stack.env'), `${STACK_ENV}\n`);
    fs.mkdirSync(path.join(dir, 'kafka'));
    fs.writeFileSync(
      path.join(dir, 'kafka/server.properties'),
      'process.roles=broker,controller\ncontroller.quorum.voters=1@127.0.0.1:41093\n',
    );
    for (const name of VARIABLES) saved.set(name, process.env[name]);
  });

  const useOnly = (env: Record<string, string>): void => {
    for (const name of VARIABLES) delete process.env[name];
    Object.assign(process.env, { STACK_DIR: dir, ...env });
  };

  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hands the stack scripts the ports its stack.env names, not their defaults', () => {
    useOnly({});
    const env = stackScriptEnv();
    assert.equal(env['STACK_DIR'], dir);
    assert.equal(env['STACK_TEMPORAL_PORT'], '41233');
    assert.equal(env['STACK_TEMPORAL_UI_PORT'], '41234');
    assert.equal(env['STACK_KAFKA_PORT'], '41092');
    assert.equal(env['STACK_KAFKA_CONTROLLER_PORT'], '41093');
    assert.equal(env['STACK_STRIPE_MOCK_PORT'], '41111');
    assert.equal(env['STACK_STRIPE_STANDIN_PORT'], '41112');
    assert.equal(env['STACK_CODEC_SERVER_PORT'], '41888');
  });

  it('takes the ports from stack.env even when the environment points the service elsewhere', () => {
    useOnly({ TEMPORAL_ADDRESS: 'temporal.example:7233' });
    assert.equal(stackScriptEnv()['STACK_TEMPORAL_PORT'], '41233');
  });

  it('lets an explicit STACK_*_PORT win', () => {
    useOnly({ STACK_KAFKA_PORT: '45555' });
    const env = stackScriptEnv();
    assert.equal(env['STACK_KAFKA_PORT'], '45555');
    assert.equal(env['STACK_TEMPORAL_PORT'], '41233');
  });

  it('leaves the ports to the scripts when the stack has no stack.env yet', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-helper-empty-'));
    try {
      useOnly({ STACK_DIR: empty });
      const env = stackScriptEnv();
      assert.equal(env['STACK_DIR'], empty);
      assert.equal(env['STACK_TEMPORAL_PORT'], undefined);
      assert.equal(env['STACK_KAFKA_CONTROLLER_PORT'], undefined);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reads the addresses from the environment first, then from stack.env at each call', () => {
    useOnly({ KAFKA_BROKERS: '127.0.0.1:49999' });
    assert.equal(stackDir(), dir);
    assert.equal(stack.kafkaBrokers, '127.0.0.1:49999');
    assert.deepEqual(stackAddresses(), {
      temporalAddress: '127.0.0.1:41233',
      temporalNamespace: 'default',
      kafkaBrokers: '127.0.0.1:49999',
      stripeMockUrl: 'http://127.0.0.1:41111',
    });
    assert.equal(stack.stripeStandinUrl, 'http://127.0.0.1:41112');
    const file = path.join(dir, 'stack.env');
    fs.writeFileSync(file, `${STACK_ENV.replace('41111', '41119')}\n`);
    try {
      assert.equal(stack.stripeMockUrl, 'http://127.0.0.1:41119');
    } finally {
      fs.writeFileSync(file, `${STACK_ENV}\n`);
    }
  });

  it('names the missing variable and the file it looked in', () => {
    useOnly({});
    assert.throws(
      () => stackValue('TEMPORAL_TEST_SERVER_PATH'),
      new RegExp(`TEMPORAL_TEST_SERVER_PATH is not set and ${path.join(dir, 'stack.env')} does not name it`),
    );
  });
});
