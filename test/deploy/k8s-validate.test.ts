/**
 * Schema validation of the rendered kustomize targets: every built-in object against the Kubernetes
 * 1.37 OpenAPI schemas (kubernetes-validate --strict: unknown fields fail), every custom resource
 * against its schema in deploy/crds (ExternalSecret, PrometheusRule, PodMonitor).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/repo';
import {
  K8S_TARGETS,
  objectsOfKind,
  renderK8s,
  renderK8sYaml,
  runTool,
  runToolOk,
  type ExternalSecret,
  type K8sObject,
} from './support';

const KUBERNETES_VERSION = '1.37.0';
/** Custom resources: kubernetes-validate has no schema for them; validated below instead. */
const CUSTOM_KINDS: Record<string, { apiVersion: string; schema: string }> = {
  ExternalSecret: {
    apiVersion: 'external-secrets.io/v1',
    schema: path.join(REPO_ROOT, 'deploy/crds/externalsecret-v1.schema.json'),
  },
  PrometheusRule: {
    apiVersion: 'monitoring.coreos.com/v1',
    schema: path.join(REPO_ROOT, 'deploy/crds/prometheusrule-v1.schema.json'),
  },
  PodMonitor: {
    apiVersion: 'monitoring.coreos.com/v1',
    schema: path.join(REPO_ROOT, 'deploy/crds/podmonitor-v1.schema.json'),
  },
};
const EXTERNAL_SECRET_SCHEMA = CUSTOM_KINDS['ExternalSecret']?.schema ?? '';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-validate-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function externalSecretFiles(): string[] {
  return objectsOfKind<ExternalSecret>(renderK8s('overlays/production'), 'ExternalSecret').map((es) => {
    const file = path.join(tmp, `externalsecret-${es.metadata.name}.json`);
    fs.writeFileSync(file, JSON.stringify(es));
    return file;
  });
}

describe('k8s manifests validate against their schemas', () => {
  for (const target of K8S_TARGETS) {
    it(`${target}: every object passes kubernetes-validate --strict for Kubernetes ${KUBERNETES_VERSION}`, () => {
      const file = path.join(tmp, `${target.replace('/', '-')}.yaml`);
      fs.writeFileSync(file, renderK8sYaml(target));
      const result = runTool('kubernetes-validate', ['--strict', '-k', KUBERNETES_VERSION, file]);
      const output = result.stdout + result.stderr;
      assert.equal(result.status, 0, output);

      const objects = renderK8s(target);
      const builtIn = objects.filter((o) => !(o.kind in CUSTOM_KINDS));
      const passed = output.split('\n').filter((line) => / passed for resource /.test(line));
      assert.equal(passed.length, builtIn.length, `expected ${builtIn.length} "passed" lines:\n${output}`);
      // The only objects without a schema are the custom resources validated below.
      for (const line of output.split('\n').filter((l) => /Couldn't find schema/.test(l))) {
        const custom = Object.entries(CUSTOM_KINDS).some(([kind, { apiVersion }]) =>
          line.includes(`for kind ${kind} with api version ${apiVersion} `),
        );
        assert.ok(custom, line);
      }
      assert.ok(!/ERROR/.test(output), output);
    });
  }

  it('production ExternalSecrets match the ExternalSecret (external-secrets.io/v1) schema', () => {
    const files = externalSecretFiles();
    assert.ok(files.length >= 3, 'expected the ExternalSecrets of the production overlay');
    runToolOk('check-jsonschema', ['--schemafile', EXTERNAL_SECRET_SCHEMA, ...files]);
  });

  it('the ExternalSecret schema rejects an unknown field', () => {
    const [first] = objectsOfKind<ExternalSecret>(renderK8s('overlays/production'), 'ExternalSecret');
    assert.ok(first);
    const broken = structuredClone(first);
    (broken.spec as Record<string, unknown>)['refreshIntervall'] = '1h';
    const file = path.join(tmp, 'broken-externalsecret.json');
    fs.writeFileSync(file, JSON.stringify(broken));
    const result = runTool('check-jsonschema', ['--schemafile', EXTERNAL_SECRET_SCHEMA, file]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /refreshIntervall/);
  });

  for (const kind of ['PrometheusRule', 'PodMonitor'] as const) {
    it(`the production ${kind} matches the ${kind} (monitoring.coreos.com/v1) schema`, () => {
      const objects = objectsOfKind<K8sObject>(renderK8s('overlays/production'), kind);
      assert.equal(objects.length, 1);
      const file = path.join(tmp, `${kind}.json`);
      fs.writeFileSync(file, JSON.stringify(objects[0]));
      runToolOk('check-jsonschema', ['--schemafile', CUSTOM_KINDS[kind]?.schema ?? '', file]);
    });
  }

  it('the PrometheusRule schema rejects an unknown field in a rule', () => {
    const [rule] = objectsOfKind<K8sObject>(renderK8s('overlays/production'), 'PrometheusRule');
    assert.ok(rule);
    const broken = structuredClone(rule) as unknown as {
      spec: { groups: Array<{ rules: Array<Record<string, unknown>> }> };
    };
    const first = broken.spec.groups[0]?.rules[0];
    assert.ok(first);
    first['expresion'] = first['expr'];
    const file = path.join(tmp, 'broken-prometheusrule.json');
    fs.writeFileSync(file, JSON.stringify(broken));
    const result = runTool('check-jsonschema', [
      '--schemafile',
      CUSTOM_KINDS['PrometheusRule']?.schema ?? '',
      file,
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /expresion/);
  });

  const upstreamCrd = process.env['EXTERNAL_SECRETS_CRD'];
  it(
    'production ExternalSecrets also match the upstream CRD given in EXTERNAL_SECRETS_CRD',
    { skip: upstreamCrd === undefined ? 'EXTERNAL_SECRETS_CRD not set (see deploy/crds/README.md)' : false },
    () => {
      const schemaFile = path.join(tmp, 'upstream-externalsecret-v1.json');
      const extract =
        'import json, sys, yaml\n' +
        'crd = yaml.safe_load(open(sys.argv[1]))\n' +
        "v1 = next(v for v in crd['spec']['versions'] if v['name'] == 'v1')\n" +
        "json.dump(v1['schema']['openAPIV3Schema'], open(sys.argv[2], 'w'))";
      runToolOk('python', ['-c', extract, upstreamCrd ?? '', schemaFile]);
      runToolOk('check-jsonschema', ['--schemafile', schemaFile, ...externalSecretFiles()]);
    },
  );
});
