/**
 * Where secrets come from: the Stripe key always from Secret stripe-api-key; kind's Secrets are
 * labelled local-only placeholders; production has no Secret manifest at all, only ExternalSecrets
 * (Vault) for every Secret a pod reads, and wires Temporal mTLS and Kafka SASL/SCRAM-SHA-512 to
 * files and keys that those Secrets really provide.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  K8S_TARGETS,
  objectsOfKind,
  renderK8s,
  serviceContainer,
  serviceDeployments,
  serviceEnv,
  type ExternalSecret,
  type K8sObject,
  type Workload,
} from './support';

const PLACEHOLDER_LABEL = 'payments.bookstore.example/placeholder';

/** Secret name -> keys a pod reads (env secretKeyRef; secret volumes: the files its env points at). */
function secretsRead(deployment: Workload): Map<string, Set<string>> {
  const read = new Map<string, Set<string>>();
  const add = (name: string, key: string | undefined) => {
    const keys = read.get(name) ?? new Set<string>();
    if (key !== undefined) keys.add(key);
    read.set(name, keys);
  };
  for (const e of serviceContainer(deployment).env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) add(ref.name, ref.key);
  }
  for (const v of deployment.spec.template.spec.volumes ?? [])
    if (v.secret) add(v.secret.secretName, undefined);
  return read;
}

/** The secret volume file a *_PATH variable points at, as [Secret name, key]. */
function mountedFile(deployment: Workload, file: string): [string, string] | undefined {
  const pod = deployment.spec.template.spec;
  for (const mount of serviceContainer(deployment).volumeMounts ?? []) {
    const prefix = `${mount.mountPath.replace(/\/$/, '')}/`;
    if (!file.startsWith(prefix)) continue;
    const secret = pod.volumes?.find((v) => v.name === mount.name)?.secret;
    if (secret) return [secret.secretName, file.slice(prefix.length)];
  }
  return undefined;
}

describe('k8s secrets', () => {
  const secretRef = (deployment: Workload, name: string) =>
    serviceContainer(deployment).env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;

  for (const target of K8S_TARGETS) {
    it(`${target}: every role but the codec server reads STRIPE_KEY from Secret stripe-api-key; the codec server has none`, () => {
      for (const { role, deployment } of serviceDeployments(renderK8s(target))) {
        const ref = secretRef(deployment, 'STRIPE_KEY');
        if (role === 'codec-server') assert.equal(ref, undefined, role);
        else assert.deepEqual(ref, { name: 'stripe-api-key', key: 'STRIPE_KEY' }, role);
      }
    });

    it(`${target}: every role reads the payload keys from Secret payments-codec-keys, the codec server its token from codec-server-token`, () => {
      for (const { role, deployment } of serviceDeployments(renderK8s(target))) {
        assert.deepEqual(
          secretRef(deployment, 'PAYMENTS_CODEC_KEYS'),
          { name: 'payments-codec-keys', key: 'PAYMENTS_CODEC_KEYS' },
          role,
        );
        assert.deepEqual(
          secretRef(deployment, 'CODEC_SERVER_TOKEN'),
          role === 'codec-server' ? { name: 'codec-server-token', key: 'CODEC_SERVER_TOKEN' } : undefined,
          role,
        );
      }
    });
  }

  it('base defines no Secret: the overlays provide them', () => {
    assert.deepEqual(objectsOfKind(renderK8s('base'), 'Secret'), []);
  });

  it('kind: every Secret is a labelled, local-only placeholder, stripe-api-key among them', () => {
    const secrets = objectsOfKind<K8sObject & { stringData?: Record<string, string> }>(
      renderK8s('overlays/kind'),
      'Secret',
    );
    assert.ok(secrets.some((s) => s.metadata.name === 'stripe-api-key'));
    for (const s of secrets) {
      assert.equal(s.metadata.labels?.[PLACEHOLDER_LABEL], 'true', s.metadata.name);
      assert.match(
        s.metadata.annotations?.['payments.bookstore.example/local-only'] ?? '',
        /kind/,
        s.metadata.name,
      );
    }
    const stripe = secrets.find((s) => s.metadata.name === 'stripe-api-key');
    assert.match(stripe?.stringData?.['STRIPE_KEY'] ?? '', /^sk_test_[A-Za-z0-9]+$/, 'a test-mode key');
  });

  describe('production', () => {
    const objects = renderK8s('overlays/production');
    const externalSecrets = objectsOfKind<ExternalSecret>(objects, 'ExternalSecret');
    const byTarget = new Map(externalSecrets.map((es) => [es.spec.target.name, es]));

    it('contains no Secret manifest and nothing labelled placeholder', () => {
      assert.deepEqual(
        objectsOfKind(objects, 'Secret').map((s) => s.metadata.name),
        [],
      );
      assert.deepEqual(
        objects
          .filter((o) => o.metadata.labels?.[PLACEHOLDER_LABEL] !== undefined)
          .map((o) => o.metadata.name),
        [],
      );
    });

    it('materialises every Secret a pod reads, with those keys, from the Vault ClusterSecretStore', () => {
      assert.ok(byTarget.has('stripe-api-key'));
      for (const { role, deployment } of serviceDeployments(objects)) {
        for (const [name, keys] of secretsRead(deployment)) {
          const es = byTarget.get(name);
          assert.ok(es, `${role}: Secret ${name} has an ExternalSecret`);
          assert.deepEqual(es.spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'vault-backend' });
          const provided = new Set(es.spec.data?.map((d) => d.secretKey));
          for (const key of keys) assert.ok(provided.has(key), `${role}: ${name} provides ${key}`);
        }
      }
    });

    it('connects every role to Temporal with mTLS from files of a mounted Secret (the codec server never connects)', () => {
      for (const { role, deployment } of serviceDeployments(objects)) {
        if (role === 'codec-server') {
          assert.equal(
            deployment.spec.template.spec.volumes?.find((v) => v.name === 'temporal-tls'),
            undefined,
          );
          continue;
        }
        const { env } = serviceEnv('overlays/production', objects, deployment);
        assert.equal(env['TEMPORAL_TLS'], 'true', role);
        for (const name of ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH']) {
          const file = mountedFile(deployment, env[name] ?? '');
          assert.ok(file, `${role}: ${name} is in a mounted Secret`);
          const [secret, key] = file;
          assert.ok(
            byTarget.get(secret)?.spec.data?.some((d) => d.secretKey === key),
            `${role}: ${secret} provides ${key}`,
          );
        }
      }
    });

    it('gives Kafka TLS and SASL/SCRAM-SHA-512 credentials to the worker only', () => {
      for (const { role, deployment } of serviceDeployments(objects)) {
        const { env } = serviceEnv('overlays/production', objects, deployment);
        const container = serviceContainer(deployment);
        if (role !== 'worker') {
          assert.equal(env['KAFKA_SASL_PASSWORD'], undefined, role);
          continue;
        }
        assert.equal(env['KAFKA_SSL'], 'true');
        assert.equal(env['KAFKA_SASL_MECHANISM'], 'scram-sha-512');
        for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
          assert.equal(
            container.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name,
            'kafka-sasl',
          );
        }
        const ca = mountedFile(deployment, env['KAFKA_SSL_CA_PATH'] ?? '');
        assert.ok(
          ca && byTarget.get(ca[0])?.spec.data?.some((d) => d.secretKey === ca[1]),
          'Kafka CA mounted',
        );
      }
    });
  });
});
