/**
 * The four roles as Kubernetes runs them: one Deployment per PAYMENTS_MODE, probes on /healthz and
 * /readyz, graceful shutdown that fits the grace period, a PodDisruptionBudget each, Services for
 * the HTTP roles and worker metrics, and ingress limited to the callers each role expects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  K8S_TARGETS,
  ROLES,
  objectsOfKind,
  renderK8s,
  serviceContainer,
  serviceDeployments,
  type Container,
  type K8sObject,
  type Probe,
  type Role,
  type Workload,
} from './support';

const PORT = 8080;
const DEFAULT_TERMINATION_GRACE = 30;
const DEFAULT_WORKER_SHUTDOWN_GRACE = 30; // CONFIG_VARIABLES default

function probePort(container: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) {
  return (
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels?.[k] === v)
  );
}

interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: Array<{ from?: Peer[]; ports?: Array<{ port: number | string }> }>;
  };
}

/** Who may reach a role, as "namespace[/app]" strings, and on which ports. */
function allowedIngress(objects: readonly K8sObject[], deployment: Workload) {
  const labels = deployment.spec.template.metadata.labels;
  const peers = new Set<string>();
  const ports = new Set<number | string>();
  for (const policy of objectsOfKind<NetworkPolicy>(objects, 'NetworkPolicy')) {
    if (!selects(policy.spec.podSelector.matchLabels, labels)) continue;
    for (const rule of policy.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const ns = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? '(same namespace)';
        const app = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
        peers.add(app === undefined ? ns : `${ns}/${app}`);
      }
      for (const p of rule.ports ?? []) ports.add(p.port);
    }
  }
  return { peers: [...peers].sort(), ports: [...ports] };
}

const EXPECTED_INGRESS: Record<Role, string[]> = {
  gateway: ['bookstore-platform-events/order-dispatcher', 'monitoring'],
  'webhook-receiver': ['ingress-nginx', 'monitoring'],
  worker: ['monitoring'],
  'codec-server': ['ingress-nginx', 'monitoring'],
};

describe('k8s roles', () => {
  for (const target of K8S_TARGETS) {
    describe(target, () => {
      const objects = renderK8s(target);
      const deployments = serviceDeployments(objects);

      it('has one Deployment per role, each setting PAYMENTS_MODE to its role', () => {
        assert.deepEqual(deployments.map((d) => d.role).sort(), [...ROLES].sort());
        for (const { role, deployment } of deployments) {
          assert.equal(
            envValue(serviceContainer(deployment), 'PAYMENTS_MODE'),
            role,
            deployment.metadata.name,
          );
        }
      });

      it(`probes /healthz (liveness) and /readyz (readiness) on the container port ${PORT}`, () => {
        for (const { deployment } of deployments) {
          const c = serviceContainer(deployment);
          const where = deployment.metadata.name;
          assert.deepEqual(
            c.ports?.map((p) => p.containerPort),
            [PORT],
            where,
          );
          assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', where);
          assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', where);
          assert.equal(probePort(c, c.livenessProbe), PORT, where);
          assert.equal(probePort(c, c.readinessProbe), PORT, where);
          // /readyz gives each dependency check 2.5 s before answering 503.
          assert.ok((c.readinessProbe?.timeoutSeconds ?? 1) >= 3, `${where}: readiness timeout >= 3 s`);
        }
      });

      it('lets the worker drain within its termination grace period, HTTP roles pause before stopping', () => {
        for (const { role, deployment } of deployments) {
          const c = serviceContainer(deployment);
          const grace =
            deployment.spec.template.spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE;
          if (role === 'worker') {
            const drain = Number(
              envValue(c, 'WORKER_SHUTDOWN_GRACE_SECONDS') ?? DEFAULT_WORKER_SHUTDOWN_GRACE,
            );
            assert.ok(
              grace > drain + 5,
              `worker: terminationGracePeriodSeconds ${grace} > ${drain} + margin`,
            );
          } else {
            const pause = c.lifecycle?.preStop?.sleep?.seconds;
            assert.ok(
              pause !== undefined && pause > 0 && pause < grace,
              `${role}: preStop sleep within ${grace}s`,
            );
          }
        }
      });

      it('covers every role with a PodDisruptionBudget', () => {
        const pdbs = objectsOfKind<
          K8sObject & { spec: { selector: { matchLabels?: Record<string, string> } } }
        >(objects, 'PodDisruptionBudget');
        for (const { deployment } of deployments) {
          const labels = deployment.spec.template.metadata.labels;
          assert.equal(
            pdbs.filter((p) => selects(p.spec.selector.matchLabels, labels)).length,
            1,
            deployment.metadata.name,
          );
        }
      });

      it('exposes the gateway, the webhook receiver and the worker metrics through Services', () => {
        const services = objectsOfKind<
          K8sObject & { spec: { selector?: Record<string, string>; ports: Array<{ targetPort: unknown }> } }
        >(objects, 'Service');
        for (const { role, deployment } of deployments) {
          const service = services.find((s) =>
            selects(s.spec.selector, deployment.spec.template.metadata.labels),
          );
          assert.ok(service, `${role}: a Service`);
          assert.deepEqual(
            service.spec.ports.map((p) => p.targetPort),
            ['http'],
            role,
          );
        }
      });

      it('denies ingress by default and admits only the expected callers on the service port', () => {
        const defaultDeny = objectsOfKind<NetworkPolicy>(objects, 'NetworkPolicy').find(
          (p) =>
            Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
            (p.spec.policyTypes ?? []).includes('Ingress') &&
            (p.spec.ingress ?? []).length === 0,
        );
        assert.ok(defaultDeny, 'a default-deny ingress policy');
        for (const { role, deployment } of deployments) {
          const { peers, ports } = allowedIngress(objects, deployment);
          assert.deepEqual(peers, EXPECTED_INGRESS[role], role);
          assert.deepEqual(ports, [PORT], role);
        }
      });
    });
  }

  it('runs more than one replica of every role in production', () => {
    for (const { role, deployment } of serviceDeployments(renderK8s('overlays/production'))) {
      assert.ok((deployment.spec.replicas ?? 1) > 1, `${role}: replicas ${deployment.spec.replicas}`);
    }
  });
});
