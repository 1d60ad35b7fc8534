/**
 * The compose file's payments services, up on this machine's engine (`npm run compose:up`:
 * docker-compose.yml + deploy/compose.host.yml against the local stack).
 *
 *   npm run test:compose     # engine, stack, image, compose up, this file, compose down
 *
 * Named *.e2e.ts so `npm test` leaves it out (it needs the engine, the image and Compose v2).
 * - The three roles are running and healthy by the compose file's own checks (on /readyz), the
 *   watchers they wait for are healthy, the one-shots exited 0, and each role started only after the
 *   one-shots it depends on had finished (its depends_on conditions were waited on).
 * - A charge goes through them: POST to the gateway service, the signed webhook to the
 *   webhook-receiver service, the worker service's record on Kafka; each one's log names it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stack } from '../support/stack';
import { assertLogsNameCharge, chargeThrough } from './charge';
import { docker, dockerOk, inspect, logsOf } from './docker';

const FILES = ['--project-directory', '.', '-f', 'docker-compose.yml', '-f', 'deploy/compose.host.yml'];
const ROLES = ['gateway', 'webhook-receiver', 'worker'] as const;
const PORTS: Record<(typeof ROLES)[number], string> = {
  gateway: process.env['GATEWAY_PORT'] ?? '8080',
  'webhook-receiver': process.env['WEBHOOK_PORT'] ?? '8081',
  worker: process.env['WORKER_PORT'] ?? '8082',
};

interface PsRow {
  Service: string;
  Name: string;
  State: string;
  Health: string;
  ExitCode: number;
}

/** The override's interpolation: the local stack's addresses and the roles' ports. */
function interpolation(): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    KAFKA_BROKERS: stack.kafkaBrokers,
    STRIPE_API_BASE: stack.stripeStandinUrl,
    GATEWAY_PORT: PORTS.gateway,
    WEBHOOK_PORT: PORTS['webhook-receiver'],
    WORKER_PORT: PORTS.worker,
  };
}

function compose(args: readonly string[]): string {
  return dockerOk(['compose', ...FILES, ...args], interpolation());
}

/** `compose ps --format json`: one object per line (Compose ≥ 2.21) or one array (older). */
function ps(): PsRow[] {
  const out = compose(['ps', '--all', '--format', 'json']);
  if (out.startsWith('[')) return JSON.parse(out) as PsRow[];
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PsRow);
}

interface ComposeConfig {
  services: Record<
    string,
    { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }> }
  >;
}

describe('the compose file’s payments services on this engine', { timeout: 300_000 }, () => {
  const config = JSON.parse(compose(['config', '--format', 'json'])) as ComposeConfig;
  const rows = () => new Map(ps().map((r) => [r.Service, r]));

  it('runs the three roles healthy, after the watchers and one-shots they depend on', (t) => {
    const now = rows();
    for (const role of ROLES) {
      const row = now.get(role);
      assert.equal(row?.State, 'running', `${role} is running`);
      assert.equal(row?.Health, 'healthy', `${role} is healthy`);
      for (const [dependency, { condition }] of Object.entries(config.services[role]?.depends_on ?? {})) {
        const dep = now.get(dependency);
        assert.ok(dep, `${role} depends on ${dependency}, which ran`);
        const roleStarted = Date.parse(inspect(row.Name, '{{.State.StartedAt}}'));
        if (condition === 'service_completed_successfully') {
          assert.equal(dep.State, 'exited');
          assert.equal(dep.ExitCode, 0, `${dependency} exited 0`);
          const finished = Date.parse(inspect(dep.Name, '{{.State.FinishedAt}}'));
          assert.ok(finished <= roleStarted, `${role} started after ${dependency} finished`);
        } else {
          assert.equal(condition, 'service_healthy');
          assert.equal(dep.Health, 'healthy', `${dependency} is healthy`);
        }
      }
      t.diagnostic(
        `${role}: ${row.Name} ${row.State} (${row.Health}) on 127.0.0.1:${PORTS[role]}, after ${Object.entries(
          config.services[role]?.depends_on ?? {},
        )
          .map(([d, { condition }]) => `${d} ${condition.replace('service_', '')}`)
          .join(', ')}`,
      );
    }
    for (const oneShot of ['temporal-setup', 'kafka-init']) {
      // Its stdout: the line it printed (kafkajs also warns on stderr under Node 24).
      t.diagnostic(`${oneShot}: ${docker(['logs', now.get(oneShot)?.Name ?? oneShot]).stdout.trim()}`);
    }
  });

  it('takes a charge through them: POST → gateway, signed webhook → webhook-receiver, record on Kafka from the worker', async (t) => {
    const env = (role: string, name: string) => config.services[role]?.environment?.[name] ?? '';
    const charge = await chargeThrough({
      gatewayUrl: `http://127.0.0.1:${PORTS.gateway}`,
      receiverUrl: `http://127.0.0.1:${PORTS['webhook-receiver']}`,
      chargeApiToken: env('gateway', 'CHARGE_API_TOKEN'),
      webhookSecret: env('webhook-receiver', 'STRIPE_WEBHOOK_SECRET'),
      prefix: 'compose',
    });
    const now = rows();
    const logs = Object.fromEntries(ROLES.map((role) => [role, logsOf(now.get(role)?.Name ?? role)]));
    assertLogsNameCharge(logs, charge.eventId);
    t.diagnostic(
      `${charge.eventId}: POST → ${now.get('gateway')?.Name} (202); PaymentIntent ${charge.paymentIntentId} and the payments.completed record by ${now.get('worker')?.Name}; signed webhook → ${now.get('webhook-receiver')?.Name} (200); ${charge.ms} ms POST to record`,
    );
  });
});
