/**
 * Every rendered pod (ours and the kind overlay's dependencies) meets the namespace's "restricted"
 * Pod Security Standard, has resource requests and a memory limit, and runs a pinned image; our
 * own containers additionally run read-only as the image's user.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/repo';
import {
  EXACT_VERSION_TAG,
  K8S_TARGETS,
  NAMESPACE,
  objectsOfKind,
  parseImage,
  renderK8s,
  serviceContainer,
  serviceDeployments,
  workloads,
} from './support';

const CLUSTER_SCOPED = new Set(['Namespace']);
const dockerfileUser = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(
  fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'),
);

describe('k8s pod security, resources and images', () => {
  for (const target of K8S_TARGETS) {
    describe(target, () => {
      const objects = renderK8s(target);

      it(`puts everything in namespace ${NAMESPACE}, which enforces the restricted standard`, () => {
        for (const o of objects) {
          if (CLUSTER_SCOPED.has(o.kind)) continue;
          assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name}`);
        }
        const [namespace, ...others] = objectsOfKind(objects, 'Namespace');
        assert.equal(others.length, 0);
        assert.equal(namespace?.metadata.name, NAMESPACE);
        assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
      });

      it('runs every container non-root, without privilege escalation or capabilities, RuntimeDefault seccomp', () => {
        for (const w of workloads(objects)) {
          const pod = w.spec.template.spec;
          assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', w.metadata.name);
          assert.equal(pod.automountServiceAccountToken, false, w.metadata.name);
          for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
            const where = `${w.metadata.name}/${c.name}`;
            const runAsNonRoot: boolean | undefined =
              c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const runAsUser: number | undefined =
              c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            assert.equal(runAsNonRoot, true, where);
            assert.ok(
              Number.isInteger(runAsUser) && (runAsUser ?? 0) > 0,
              `${where}: numeric non-root runAsUser`,
            );
            assert.equal(c.securityContext?.allowPrivilegeEscalation, false, where);
            assert.notEqual(c.securityContext?.privileged, true, where);
            assert.ok(
              c.securityContext?.capabilities?.drop?.includes('ALL'),
              `${where}: drops ALL capabilities`,
            );
            assert.equal(c.securityContext?.capabilities?.add, undefined, where);
          }
        }
      });

      it('gives every container CPU and memory requests and a memory limit', () => {
        for (const w of workloads(objects)) {
          for (const c of w.spec.template.spec.containers) {
            const where = `${w.metadata.name}/${c.name}`;
            assert.ok(c.resources?.requests?.['cpu'], `${where}: cpu request`);
            assert.ok(c.resources?.requests?.['memory'], `${where}: memory request`);
            assert.ok(c.resources?.limits?.['memory'], `${where}: memory limit`);
          }
        }
      });

      it('pins every image to an exact tag (never latest)', () => {
        for (const w of workloads(objects)) {
          for (const c of [
            ...w.spec.template.spec.containers,
            ...(w.spec.template.spec.initContainers ?? []),
          ]) {
            const { name, tag } = parseImage(c.image);
            const where = `${w.metadata.name}/${c.name}: ${c.image}`;
            assert.ok(tag !== undefined && tag !== 'latest', where);
            const ours = name.endsWith('payments-service');
            // kind runs the image built on the laptop (`kind load docker-image payments-service:dev`).
            if (ours && target === 'overlays/kind') assert.equal(c.image, 'payments-service:dev');
            else assert.match(tag, EXACT_VERSION_TAG, where);
            assert.equal(c.imagePullPolicy, 'IfNotPresent', where);
          }
        }
      });

      it("runs the service read-only as the Dockerfile's numeric user, with a writable /tmp", () => {
        assert.ok(dockerfileUser, 'Dockerfile sets a numeric USER');
        for (const { deployment } of serviceDeployments(objects)) {
          const pod = deployment.spec.template.spec;
          const c = serviceContainer(deployment);
          const where = deployment.metadata.name;
          assert.equal(String(pod.securityContext?.runAsUser), dockerfileUser[1], where);
          assert.equal(c.securityContext?.readOnlyRootFilesystem, true, where);
          const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
          assert.ok(tmp, `${where}: /tmp mounted`);
          assert.ok(pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir, `${where}: /tmp is an emptyDir`);
          assert.equal(pod.enableServiceLinks, false, `${where}: no Service env vars`);
        }
      });
    });
  }

  it('sizes memory limits: worker 512Mi, HTTP roles 256Mi', () => {
    const expected = {
      gateway: '256Mi',
      'webhook-receiver': '256Mi',
      worker: '512Mi',
      'codec-server': '256Mi',
    };
    for (const { role, deployment } of serviceDeployments(renderK8s('base'))) {
      assert.equal(serviceContainer(deployment).resources?.limits?.['memory'], expected[role], role);
    }
  });
});
