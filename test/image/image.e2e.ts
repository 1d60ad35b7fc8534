/**
 * The built image (payments-service:dev) on a real Docker Engine, against the real local stack.
 *
 *   npm run test:image       # engine + stack + image:build, then this file; stops what it started
 *
 * Named *.e2e.ts, not *.test.ts: it needs the engine and a built image, so `npm test` (which runs
 * every *.test.ts) leaves it to `npm run test:image`.
 *
 * - The image: user 10001:10001, a HEALTHCHECK, no secret in any layer our Dockerfile adds, in the
 *   image config or in `docker history`; only dist/, production node_modules and package.json in /app.
 * - Each role in its own container, as production runs it: `--read-only`, the image's user, host
 *   networking (the engine here has no bridge) on its own loopback port. A charge end to end through
 *   the three: POST /charge to the gateway container, the signed webhook to the webhook-receiver
 *   container, the worker container's record on Kafka, and each container's log naming the charge.
 * - The image's HEALTHCHECK reports healthy; SIGTERM (`docker stop`) exits 0 within the drain grace.
 * - Without STRIPE_KEY the container exits non-zero and says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../../src/config';
import { freePort } from '../support/ports';
import { REPO_ROOT } from '../support/repo';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { assertLogsNameCharge, chargeThrough } from './charge';
import {
  BASE_IMAGE,
  IMAGE,
  docker,
  dockerAsync,
  dockerOk,
  inspect,
  inspectJson,
  logsOf,
  removeContainers,
  runRole,
  waitHealthy,
  type RoleContainer,
} from './docker';

const RUN = randomUUID().slice(0, 8);
const SECRETS = {
  STRIPE_KEY: `sk_test_image${randomBytes(12).toString('hex')}`,
  STRIPE_WEBHOOK_SECRET: `whsec_image_${randomBytes(16).toString('hex')}`,
  CHARGE_API_TOKEN: `image-token-${randomBytes(16).toString('hex')}`,
  PAYMENTS_CODEC_KEYS: `image-1:${randomBytes(32).toString('base64')}`,
};
const GRACE_SECONDS = 10;
const ROLES = ['gateway', 'webhook-receiver', 'worker'] as const;
type Role = (typeof ROLES)[number];
const SECRET_NAMES = CONFIG_VARIABLES.filter((v) => 'secret' in v && v.secret).map((v) => v.name);

/** Values given to secret variables anywhere in the repository's local configurations. */
function placeholderSecretValues(): string[] {
  const files = ['scripts/dev.env', 'docker-compose.yml', 'k8s/overlays/kind/secrets.yaml'];
  const values = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const name of SECRET_NAMES) {
      for (const m of text.matchAll(new RegExp(`\\b${name}\\s*[:=]\\s*['"]?([A-Za-z0-9_.-]{8,})`, 'g'))) {
        if (m[1] !== undefined) values.add(m[1]);
      }
    }
  }
  return [...values];
}

describe(`the image ${IMAGE} on a real Docker Engine`, { timeout: 600_000 }, () => {
  const containers = new Map<Role, RoleContainer>();
  const names = ROLES.map((role) => `payments-image-test-${role}`);
  let taskQueue: string;

  before(() => {
    const found = docker(['image', 'inspect', IMAGE]);
    assert.equal(found.status, 0, `${IMAGE} is not in the engine: run \`npm run image:build\` first`);
    removeContainers([...names, 'payments-image-test-nokey']);
    taskQueue = `image-test-${RUN}`;
  });
  after(() => {
    removeContainers([...names, 'payments-image-test-nokey']);
  });

  it('runs as 10001:10001 with a HEALTHCHECK, and no secret is in its config, its history or any layer it adds', (t) => {
    const image = inspectJson<{
      Config: { User: string; Env: string[]; Healthcheck?: { Test: string[] }; Cmd: string[] };
      RootFS: { Layers: string[] };
    }>(IMAGE);
    assert.equal(image.Config.User, '10001:10001');
    assert.deepEqual(image.Config.Cmd, ['node', 'dist/src/main.js']);
    assert.match((image.Config.Healthcheck?.Test ?? []).join(' '), /\/healthz/);
    const envNames = image.Config.Env.map((e) => e.slice(0, e.indexOf('=')));
    for (const name of SECRET_NAMES)
      assert.ok(!envNames.includes(name), `${name} is set in the image's config`);

    const history = dockerOk(['history', '--no-trunc', '--format', '{{.CreatedBy}}', IMAGE]);
    for (const name of SECRET_NAMES) {
      assert.doesNotMatch(history, new RegExp(`\\b${name}=`), `docker history assigns ${name}`);
    }
    const known = [...placeholderSecretValues(), ...Object.values(SECRETS)];
    assert.ok(known.length >= 9, `found the repository's placeholder secrets: ${known.join(', ')}`);
    for (const value of known) assert.ok(!history.includes(value), `docker history holds ${value}`);

    // Every layer the Dockerfile adds on top of the base, as `docker save` writes it (an uncompressed
    // tar per layer, so every file's bytes are contiguous in it): by file name and by content.
    const baseLayers = inspectJson<{ RootFS: { Layers: string[] } }>(BASE_IMAGE).RootFS.Layers.length;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payments-image-'));
    try {
      dockerOk(['save', '--output', path.join(dir, 'image.tar'), IMAGE]);
      const extract = spawnTar(['-xf', path.join(dir, 'image.tar'), '-C', dir]);
      assert.equal(extract.status, 0, extract.stderr);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Array<{
        Layers: string[];
      }>;
      const layers = manifest[0]?.Layers ?? [];
      assert.equal(layers.length, image.RootFS.Layers.length);
      const ours = layers.slice(baseLayers);
      assert.ok(ours.length >= 3, `the Dockerfile adds layers (${ours.length})`);
      const patterns = [
        /(?:sk|rk)_live_[0-9A-Za-z]{20,}/,
        /whsec_[0-9A-Za-z+/=]{32,}/,
        /npm_[0-9A-Za-z]{36}/,
        /_authToken\s*=/,
        /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      ];
      let files = 0;
      let bytes = 0;
      for (const layer of ours) {
        const layerPath = path.join(dir, layer);
        const listing = spawnTar(['-tf', layerPath]).stdout.split('\n').filter(Boolean);
        files += listing.length;
        for (const entry of listing) {
          assert.doesNotMatch(
            entry,
            /(?:^|\/)(?:\.env(?:\..*)?|\.npmrc|\.git|\.stack|[^/]+\.pem|[^/]+\.key)(?:\/|$)/,
            `${layer} holds ${entry}`,
          );
        }
        const content = fs.readFileSync(layerPath);
        bytes += content.length;
        const text = content.toString('latin1');
        for (const value of known) assert.ok(!text.includes(value), `${layer} holds the secret ${value}`);
        for (const pattern of patterns) assert.doesNotMatch(text, pattern, `${layer} matches ${pattern}`);
      }
      t.diagnostic(
        `scanned ${ours.length} layers added on ${baseLayers} base layer(s): ${files} entries, ${(bytes / 1e6).toFixed(0)} MB; ${known.length} known secret values, ${patterns.length} patterns`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const app = dockerOk(['run', '--rm', '--network', 'host', '--entrypoint', 'ls', IMAGE, '-A', '/app']);
    assert.deepEqual(app.split('\n').sort(), ['dist', 'node_modules', 'package.json']);
    const devOnly = docker([
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      'ls',
      IMAGE,
      '/app/node_modules/typescript',
    ]);
    assert.notEqual(devOnly.status, 0, 'dev dependencies (typescript) are not in the image');
  });

  it('runs each role in its own read-only container as uid 10001, and its HEALTHCHECK reports healthy', async (t) => {
    const env = {
      ...SECRETS,
      STRIPE_API_BASE: stack.stripeStandinUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      KAFKA_BROKERS: stack.kafkaBrokers,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
      LOG_LEVEL: 'info',
    };
    for (const role of ROLES) {
      containers.set(role, runRole(`payments-image-test-${role}`, role, await freePort(), env));
    }
    const healthy = await Promise.all(ROLES.map((role) => waitHealthy(get(role))));
    for (const [i, role] of ROLES.entries()) {
      const c = get(role);
      const state = inspectJson<{
        HostConfig: { ReadonlyRootfs: boolean; NetworkMode: string };
        Config: { User: string };
      }>(c.name);
      assert.equal(state.HostConfig.ReadonlyRootfs, true);
      assert.equal(state.HostConfig.NetworkMode, 'host');
      const ids = dockerOk(['exec', c.name, 'node', '-p', 'process.getuid() + ":" + process.getgid()']);
      assert.equal(ids, '10001:10001', `${role} runs as 10001:10001`);
      const pid1 = dockerOk(['exec', c.name, 'cat', '/proc/1/cmdline']).split('\0').filter(Boolean).join(' ');
      assert.equal(pid1, 'node dist/src/main.js', `${role}: node is PID 1`);
      const write = docker(['exec', c.name, 'node', '-e', "require('fs').writeFileSync('/app/probe', 'x')"]);
      assert.notEqual(write.status, 0);
      assert.match(write.stderr, /EROFS|read-only/i, `${role}: the root filesystem is read-only`);
      const ready = await waitUntil(
        async () => (await fetch(`${c.url}/readyz`)).status === 200,
        `${role} /readyz`,
        60_000,
      );
      assert.ok(ready);
      t.diagnostic(
        `${role}: container ${c.name} (${c.id}), uid 10001, read-only, host network 127.0.0.1:${c.port}, healthy after ${healthy[i]?.toFixed(1)} s`,
      );
    }
  });

  it('takes a charge end to end through the three containers: POST → gateway, signed webhook → receiver, record on Kafka from the worker', async (t) => {
    const gateway = get('gateway');
    const receiver = get('webhook-receiver');
    const charge = await chargeThrough({
      gatewayUrl: gateway.url,
      receiverUrl: receiver.url,
      chargeApiToken: SECRETS.CHARGE_API_TOKEN,
      webhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET,
      prefix: 'image',
    });
    // What ran where: each container's own log names this charge (the task queue is this run's
    // own, so no other worker could have taken it).
    const logs = Object.fromEntries(ROLES.map((role) => [role, logsOf(get(role).name)]));
    assertLogsNameCharge(logs, charge.eventId);
    for (const role of ROLES) {
      for (const value of Object.values(SECRETS)) {
        assert.ok(!(logs[role] ?? '').includes(value), `${role}'s log holds a secret`);
      }
    }
    t.diagnostic(
      `${charge.eventId}: POST → ${gateway.name} :${gateway.port} (202); PaymentIntent ${charge.paymentIntentId} by ${get('worker').name}; signed webhook → ${receiver.name} :${receiver.port} (200, a forged one 400); one payments.completed record published by ${get('worker').name}; ${charge.ms} ms POST to record`,
    );
  });

  it(`stops on SIGTERM with exit 0 within the drain grace (${GRACE_SECONDS} s)`, async (t) => {
    const stops = await Promise.all(
      ROLES.map(async (role) => {
        const c = get(role);
        const t0 = Date.now();
        // docker stop: STOPSIGNAL (SIGTERM), SIGKILL only after --time seconds.
        const stopped = await dockerAsync(['stop', '--time', String(GRACE_SECONDS + 20), c.name]);
        return { role, c, seconds: (Date.now() - t0) / 1000, stopped };
      }),
    );
    for (const { role, c, seconds, stopped } of stops) {
      assert.equal(stopped.status, 0, stopped.stderr);
      const [exitCode, oom] = inspect(c.name, '{{.State.ExitCode}} {{.State.OOMKilled}}').split(' ');
      assert.equal(exitCode, '0', `${role} exit code; log:\n${logsOf(c.name).slice(-2000)}`);
      assert.equal(oom, 'false');
      assert.ok(seconds < GRACE_SECONDS, `${role} stopped in ${seconds} s`);
      const log = logsOf(c.name);
      assert.match(log, /"signal":"SIGTERM"[^\n]*shutting down/);
      assert.match(log, /"msg":"stopped"/);
      t.diagnostic(`${role}: SIGTERM → exit 0 in ${seconds.toFixed(1)} s`);
    }
  });

  it('exits non-zero with a clear message when STRIPE_KEY is missing', (t) => {
    const result = docker(
      [
        'run',
        '--name',
        'payments-image-test-nokey',
        '--network',
        'host',
        '--read-only',
        '--env',
        'PAYMENTS_MODE=gateway',
        '--env',
        'CHARGE_API_TOKEN',
        IMAGE,
      ],
      { CHARGE_API_TOKEN: SECRETS.CHARGE_API_TOKEN },
    );
    assert.notEqual(result.status, 0);
    assert.equal(inspect('payments-image-test-nokey', '{{.State.ExitCode}}'), '2');
    assert.match(result.stderr, /STRIPE_KEY: is required/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    t.diagnostic(`without STRIPE_KEY: exit 2, "${result.stderr.trim().split('\n').join(' ')}"`);
  });

  function get(role: Role): RoleContainer {
    const c = containers.get(role);
    if (c === undefined) throw new Error(`the ${role} container did not start (see the test above)`);
    return c;
  }
});

function spawnTar(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
