/**
 * docker-compose.yml: valid against the Compose Specification schema, every part of the system
 * present with a pinned image (or built from ./Dockerfile) and a healthcheck unless it is a one-shot
 * job, start-up ordered by depends_on conditions, and the service's four roles configured with
 * variables src/config.ts reads and accepts; the Web UI decrypts through the codec server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FRONT_ROLE_NODE_OPTIONS } from '../../bench/service';
import { ConfigError, loadConfig } from '../../src/config';
import { REPO_ROOT } from '../support/repo';
import {
  DEPLOYABLE_VARIABLE_NAMES,
  EXACT_VERSION_TAG,
  ROLES,
  parseImage,
  readYamlFile,
  requiredVariables,
  runToolOk,
} from './support';

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test: string | string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
}

const compose = readYamlFile('docker-compose.yml') as { services: Record<string, ComposeService> };
const services = compose.services;
const NEEDED = [
  'temporal',
  'temporal-ui',
  'kafka',
  'stripe-mock',
  'gateway',
  'webhook-receiver',
  'worker',
  'codec-server',
  'prometheus',
  'grafana',
];

function dependencies(service: ComposeService): Array<[string, string]> {
  const deps = service.depends_on ?? {};
  assert.ok(!Array.isArray(deps), 'depends_on uses the long form with a condition');
  return Object.entries(deps).map(([name, d]) => [name, d.condition]);
}

/** Services some other service waits for to exit 0. */
const oneShots = new Set(
  Object.values(services).flatMap((s) =>
    dependencies(s)
      .filter(([, condition]) => condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);

function seconds(duration: string | undefined): number {
  const match = /^(\d+)(s|m)$/.exec(duration ?? '10s');
  assert.ok(match, `duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/** A service's environment as compose gives it when none of the `${VAR:-default}` variables is set. */
function envOf(name: string): Record<string, string> {
  const interpolated = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
  return Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [
      k,
      v === null ? '' : interpolated(String(v)),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    runToolOk('check-jsonschema', ['--builtin-schema', 'vendor.compose-spec', 'docker-compose.yml']);
  });

  it('has every part of the system', () => {
    for (const name of NEEDED) assert.ok(services[name], name);
  });

  it('pins every image to an exact version tag, or builds ours from ./Dockerfile', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) {
        assert.ok((ROLES as readonly string[]).includes(name), `${name}: only the service's roles are built`);
        continue;
      }
      const { tag } = parseImage(service.image ?? '');
      assert.ok(tag !== undefined && tag !== 'latest', `${name}: ${service.image}`);
      assert.match(tag, EXACT_VERSION_TAG, `${name}: ${service.image}`);
    }
  });

  it('gives every long-running service a healthcheck; one-shot jobs retry and run to completion', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShots.has(name)) {
        assert.match(service.restart ?? '', /^on-failure/, `${name}: one-shot`);
      } else {
        assert.ok(service.healthcheck && service.healthcheck.disable !== true, `${name}: healthcheck`);
      }
    }
  });

  it('orders start-up with depends_on conditions that match the dependency', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, condition] of dependencies(service)) {
        assert.ok(services[dep], `${name} depends on unknown ${dep}`);
        if (condition === 'service_healthy') assert.ok(services[dep]?.healthcheck, `${name} -> ${dep}`);
        else assert.equal(condition, 'service_completed_successfully', `${name} -> ${dep}`);
      }
    }
    const waitsFor = (name: string) => dependencies(services[name] ?? {}).map(([dep]) => dep);
    for (const role of ROLES.filter((r) => r !== 'codec-server'))
      assert.ok(waitsFor(role).includes('temporal-setup'), `${role} waits for search attributes`);
    assert.deepEqual(waitsFor('codec-server'), [], 'the codec server talks to nothing');
    assert.ok(waitsFor('worker').includes('kafka-init'), 'worker waits for the topics');
  });

  it('publishes ports on 127.0.0.1 only and mounts files that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name}: ${port}`);
      for (const volume of service.volumes ?? []) {
        if (!volume.startsWith('./')) continue;
        const source = volume.split(':')[0] ?? '';
        assert.ok(fs.existsSync(path.join(REPO_ROOT, source)), `${name}: ${source} exists`);
      }
    }
  });

  for (const role of ROLES) {
    it(`${role}: PAYMENTS_MODE=${role}, only CONFIG_VARIABLES (and NODE_OPTIONS), all it requires, accepted by loadConfig`, () => {
      const env = envOf(role);
      assert.equal(env['PAYMENTS_MODE'], role);
      assert.equal(
        env['NODE_OPTIONS'],
        role === 'worker' ? undefined : FRONT_ROLE_NODE_OPTIONS,
        'as the bench runs it',
      );
      assert.deepEqual(
        Object.keys(env).filter((k) => !DEPLOYABLE_VARIABLE_NAMES.has(k)),
        [],
      );
      assert.deepEqual(
        requiredVariables(role).filter((k) => env[k] === undefined),
        [],
      );
      if (role === 'codec-server') {
        assert.equal(env['STRIPE_KEY'], undefined, 'the codec server holds no Stripe key');
      } else {
        assert.match(
          env['STRIPE_KEY'] ?? '',
          /^sk_test_[A-Za-z0-9]+$/,
          'a local-only test key stripe-mock accepts',
        );
        assert.equal(env['STRIPE_API_BASE'], 'http://stripe-mock:12111');
      }
      try {
        loadConfig(env);
      } catch (err) {
        if (err instanceof ConfigError) assert.fail(`loadConfig: ${err.message}`);
        throw err;
      }
      const check = services[role]?.healthcheck?.test;
      assert.ok(Array.isArray(check) && check[1] === 'node' && check.join(' ').includes('/readyz'), role);
    });
  }

  it("points the Web UI's codec endpoint at the codec server, with its token, and lets the UI's origin call it", () => {
    const codec = envOf('codec-server');
    assert.equal(
      envOf('temporal-ui')['TEMPORAL_CODEC_ENDPOINT'],
      `http://localhost:8888/${codec['CODEC_SERVER_TOKEN']}`,
    );
    assert.ok(services['codec-server']?.ports?.includes('127.0.0.1:${CODEC_SERVER_PORT:-8888}:8080'));
    assert.deepEqual(codec['CODEC_SERVER_CORS_ORIGINS']?.split(','), [
      'http://localhost:8233',
      'http://127.0.0.1:8233',
    ]);
    for (const role of ROLES) {
      assert.equal(envOf(role)['PAYMENTS_CODEC_KEYS'], codec['PAYMENTS_CODEC_KEYS'], `${role}: the same key`);
    }
  });

  it('gives the worker longer to stop than its shutdown grace', () => {
    const drain = Number(envOf('worker')['WORKER_SHUTDOWN_GRACE_SECONDS'] ?? 30);
    assert.ok(seconds(services['worker']?.stop_grace_period) > drain);
  });
});
