/**
 * The local stack's optional Prometheus (`npm run stack:up -- --with prometheus`): started by the stack
 * scripts, it scrapes the running service as job `payments`, has loaded every alert rule of
 * deploy/prometheus/alerts.yml, and shows their state. It runs in a stack folder of its own, on a
 * port of its own, scraping every second, so it never touches the stack or a Prometheus in use.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEnvFile } from '../../scripts/env-file';
import { freePort } from '../support/ports';
import { REPO_ROOT } from '../support/repo';
import { startTestService, type TestService } from '../support/service';
import { waitUntil } from '../support/wait';

/** The alert names of deploy/prometheus/alerts.yml (one `- alert: Name` line each). */
const ALERTS = [
  ...fs
    .readFileSync(path.join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')
    .matchAll(/- alert: (\w+)/g),
].map((m) => m[1]);

interface PrometheusAnswer<T> {
  status: string;
  data: T;
}
interface Target {
  scrapeUrl: string;
  health: string;
  labels: Record<string, string>;
}
interface Alert {
  labels: Record<string, string>;
  state: string;
}

describe("the local stack's Prometheus part", { timeout: 180_000 }, () => {
  let service: TestService;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let url: string;
  let deadTarget: string;

  const script = (name: 'up.sh' | 'down.sh' | 'status.sh', ...args: string[]) => {
    const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts/stack', name), ...args], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 150_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const api = async <T>(query: string): Promise<T> => {
    const answer = (await (await fetch(`${url}/api/v1/${query}`)).json()) as PrometheusAnswer<T>;
    assert.equal(answer.status, 'success');
    return answer.data;
  };

  before(async () => {
    service = await startTestService();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-prometheus-'));
    const port = await freePort();
    // Nothing listens here: a role that is down, as Prometheus sees it.
    deadTarget = `127.0.0.1:${await freePort()}`;
    env = {
      ...process.env,
      STACK_DIR: dir,
      STACK_PROMETHEUS_PORT: String(port),
      STACK_PROMETHEUS_TARGETS: `${new URL(service.url).host} ${deadTarget}`,
      STACK_PROMETHEUS_INTERVAL: '1s',
    };
    url = `http://127.0.0.1:${port}`;
    const up = script('up.sh', 'prometheus');
    assert.equal(up.status, 0, up.output);
  });
  after(async () => {
    if (env) {
      const down = script('down.sh', 'prometheus');
      assert.equal(down.status, 0, down.output);
    }
    await service?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has loaded every alert rule of deploy/prometheus/alerts.yml', async () => {
    const { groups } = await api<{ groups: Array<{ rules: Array<{ name: string }> }> }>('rules?type=alert');
    const loaded = groups.flatMap((g) => g.rules.map((r) => r.name));
    assert.ok(ALERTS.length >= 12);
    assert.deepEqual(loaded.sort(), [...ALERTS].sort());
  });

  it('scrapes the service as job payments, and records its metrics (readiness among them)', async () => {
    const ours = await waitUntil(async () => {
      const { activeTargets } = await api<{ activeTargets: Target[] }>('targets');
      const target = activeTargets.find((t) => t.scrapeUrl === `${service.url}/metrics`);
      return target?.health === 'up' ? target : undefined;
    }, 'the service scraped');
    assert.equal(ours.labels['job'], 'payments');
    const ready = await waitUntil(async () => {
      const { result } = await api<{
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      }>(
        `query?query=${encodeURIComponent(`payments_dependency_ready{instance="${new URL(service.url).host}"}`)}`,
      );
      return result.length > 0 ? result : undefined;
    }, 'the readiness gauge in Prometheus');
    assert.deepEqual(Object.fromEntries(ready.map((r) => [r.metric['dependency'], r.value[1]])), {
      dedupe_window: '1',
      kafka: '1',
      temporal: '1',
      worker: '1',
    });
  });

  it("shows the rules' state: a role that does not answer makes PaymentsRoleDown pending for it", async () => {
    const alert = await waitUntil(
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>('alerts');
        return alerts.find((a) => a.labels['alertname'] === 'PaymentsRoleDown');
      },
      'PaymentsRoleDown active',
      60_000,
    );
    assert.equal(alert.labels['instance'], deadTarget, 'only the role that is down');
    assert.equal(alert.state, 'pending', 'firing only after its 2 minutes');
    const page = await (await fetch(`${url}/classic/alerts`)).text();
    assert.match(page, /PaymentsRoleDown/);
  });

  it('is named in the stack.env npm run dev sources (its banner shows the URL) and in stack:status', () => {
    assert.equal(readEnvFile(path.join(dir, 'stack.env'))['PROMETHEUS_URL'], url);
    const status = script('status.sh', 'prometheus');
    assert.equal(status.status, 0, status.output);
    assert.match(status.output, /^prometheus\s+running\b/m);
  });
});
