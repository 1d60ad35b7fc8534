/**
 * Shared helpers of the deployment tests: the validation tools (`npm run setup` installs them into a
 * cached venv), rendering the kustomize targets, and reading YAML through the venv's PyYAML
 * (the project has no YAML parser of its own).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { REPO_ROOT } from '../support/repo';
import { stackDir } from '../support/stack';
import { fakeLiveKey } from '../support/fake-keys';
export const NAMESPACE = 'bookstore-platform-payments';
export const K8S_TARGETS = ['base', 'overlays/kind', 'overlays/production'] as const;
export type K8sTarget = (typeof K8S_TARGETS)[number];
export const ROLES = ['gateway', 'webhook-receiver', 'worker', 'codec-server'] as const;
export type Role = (typeof ROLES)[number];
/** What a Deployment or compose service may set: our variables, and Node's own NODE_OPTIONS (V8 flags). */
export const DEPLOYABLE_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  ...CONFIG_VARIABLES.map((v) => v.name),
  'NODE_OPTIONS',
]);

/**
 * Variables a role cannot start without, read from CONFIG_VARIABLES' documented defaults:
 * "(required)" or "(required for gateway, all)" style.
 */
export function requiredVariables(role: Role): string[] {
  return CONFIG_VARIABLES.filter((v) => {
    const match = /^\(required(?: for ([^)]*))?\)$/.exec(v.default);
    if (match === null) return false;
    return match[1] === undefined || match[1].split(/,\s*/).includes(role);
  }).map((v) => v.name);
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const DEPLOY_TOOLS = ['kubectl', 'kubernetes-validate', 'hadolint', 'check-jsonschema'] as const;

/**
 * The bin directory of the tools' venv, which `npm run setup` (the first step of npm test) installs;
 * a test never installs them itself, so a missing tool fails at once with the command that mends it.
 */
export function deployToolsBin(): string {
  const bin = path.join(stackDir(), 'deploy-tools-venv', 'bin');
  const missing = DEPLOY_TOOLS.filter((tool) => !fs.existsSync(path.join(bin, tool)));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing in ${bin}: run \`npm run setup\` (npm test runs it first)`,
    );
  }
  return bin;
}

/** Runs one of the venv's tools (kubectl, kubernetes-validate, hadolint, check-jsonschema, python). */
export function runTool(tool: string, args: readonly string[], input?: string): RunResult {
  const result = spawnSync(path.join(deployToolsBin(), tool), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a tool and fails with its output unless it exits 0. */
export function runToolOk(tool: string, args: readonly string[], input?: string): string {
  const result = runTool(tool, args, input);
  if (result.status !== 0) {
    throw new Error(
      `${tool} ${args.join(' ')} exited ${String(result.status)}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Every YAML document of `text` as JSON values (empty documents dropped), parsed by PyYAML. */
export function parseYamlDocuments(text: string): unknown[] {
  const script =
    'import json, sys, yaml\n' +
    'print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))';
  return JSON.parse(runToolOk('python', ['-c', script], text)) as unknown[];
}

export function readYamlFile(relativePath: string): unknown {
  const [doc] = parseYamlDocuments(fs.readFileSync(path.join(REPO_ROOT, relativePath), 'utf8'));
  return doc;
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes objects (only the fields the tests read)
// ---------------------------------------------------------------------------------------------------

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
    [source: string]: unknown;
  };
}

export interface EnvFromSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
  prefix?: string;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; httpHeaders?: unknown[] };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  timeoutSeconds?: number;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: unknown; httpGet?: unknown } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface Volume {
  name: string;
  secret?: { secretName: string; defaultMode?: number };
  emptyDir?: Record<string, unknown>;
  configMap?: { name: string };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    seccompProfile?: { type: string };
  };
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
}

export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template: { metadata: { labels?: Record<string, string> }; spec: PodSpec };
  };
}

export interface ExternalSecret extends K8sObject {
  spec: {
    secretStoreRef: { kind: string; name: string };
    target: { name: string; template?: { type?: string } };
    data?: Array<{ secretKey: string; remoteRef: { key: string; property?: string } }>;
  };
}

const renderedYaml = new Map<K8sTarget, string>();
const renders = new Map<K8sTarget, K8sObject[]>();

/** `kubectl kustomize k8s/<target>` as YAML text; cached per process. */
export function renderK8sYaml(target: K8sTarget): string {
  let yaml = renderedYaml.get(target);
  if (yaml === undefined) {
    yaml = runToolOk('kubectl', ['kustomize', path.join('k8s', target)]);
    renderedYaml.set(target, yaml);
  }
  return yaml;
}

/** The rendered objects of `k8s/<target>`; cached per process. */
export function renderK8s(target: K8sTarget): K8sObject[] {
  let objects = renders.get(target);
  if (objects === undefined) {
    objects = parseYamlDocuments(renderK8sYaml(target)) as K8sObject[];
    renders.set(target, objects);
  }
  return objects;
}

export function objectsOfKind<T extends K8sObject = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.filter((o) => WORKLOAD_KINDS.has(o.kind)) as Workload[];
}

/** The Deployments of the payments service itself (not the kind overlay's dependencies). */
export function serviceDeployments(
  objects: readonly K8sObject[],
): Array<{ role: Role; deployment: Workload }> {
  return objectsOfKind<Workload>(objects, 'Deployment')
    .filter((d) => d.metadata.labels?.['app.kubernetes.io/name'] === 'payments')
    .map((deployment) => {
      const role = deployment.metadata.labels?.['app.kubernetes.io/component'];
      if (!ROLES.includes(role as Role)) throw new Error(`${deployment.metadata.name}: unknown role ${role}`);
      return { role: role as Role, deployment };
    });
}

/** The one container of a service pod (named "payments"). */
export function serviceContainer(deployment: Workload): Container {
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'payments');
  if (container === undefined) throw new Error(`${deployment.metadata.name}: no container named payments`);
  return container;
}

// ---------------------------------------------------------------------------------------------------
// The service's environment
// ---------------------------------------------------------------------------------------------------

interface SecretObject extends K8sObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Well-formed stand-ins for values that only exist in the cluster (production secrets from Vault). */
export const STAND_INS: Record<string, string> = {
  STRIPE_KEY: fakeLiveKey('sk', 'STANDIN'),
  STRIPE_WEBHOOK_SECRET: 'whsec_standin',
  CHARGE_API_TOKEN: 'stand-in-token-0123456789',
  PAYMENTS_CODEC_KEYS: `standin:${Buffer.alloc(32).toString('base64')}`,
  CODEC_SERVER_TOKEN: 'stand-in-codec-token-0123456789',
};

/** Value of key `key` of Secret `name` as the target provides it; undefined when nothing provides it. */
export function secretValue(target: K8sTarget, objects: readonly K8sObject[], name: string, key: string) {
  if (target === 'base') return STAND_INS[key] ?? 'stand-in'; // base only references; overlays provide
  const secret = objectsOfKind<SecretObject>(objects, 'Secret').find((s) => s.metadata.name === name);
  if (secret !== undefined) {
    const encoded = secret.data?.[key];
    return (
      secret.stringData?.[key] ??
      (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString())
    );
  }
  const external = objectsOfKind<ExternalSecret>(objects, 'ExternalSecret').find(
    (es) => es.spec.target.name === name,
  );
  if (external?.spec.data?.some((d) => d.secretKey === key)) return STAND_INS[key] ?? 'stand-in';
  return undefined;
}

/**
 * The environment the service container gets: its ConfigMap (envFrom), literal env, and Secret keys
 * (kind: the overlay's Secrets; production: stand-ins for keys an ExternalSecret provides; base:
 * stand-ins, since only overlays provide Secrets). `problems` lists what could not be resolved.
 */
export function serviceEnv(target: K8sTarget, objects: readonly K8sObject[], deployment: Workload) {
  const container = serviceContainer(deployment);
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.prefix !== undefined) problems.push(`envFrom prefix ${source.prefix}: not supported`);
    if (source.configMapRef) {
      const configMap = objectsOfKind<K8sObject & { data?: Record<string, string> }>(
        objects,
        'ConfigMap',
      ).find((cm) => cm.metadata.name === source.configMapRef?.name);
      if (configMap === undefined) problems.push(`ConfigMap ${source.configMapRef.name} is not rendered`);
      Object.assign(env, configMap?.data ?? {});
    }
    if (source.secretRef)
      problems.push(`envFrom secretRef ${source.secretRef.name}: use secretKeyRef per key`);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (ref !== undefined) {
      const value = secretValue(target, objects, ref.name, ref.key);
      if (value === undefined)
        problems.push(`${variable.name}: nothing provides Secret ${ref.name} key ${ref.key}`);
      else env[variable.name] = value;
    } else problems.push(`${variable.name}: unsupported valueFrom ${JSON.stringify(variable.valueFrom)}`);
  }
  return { env, problems };
}

// ---------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------

/** Splits `registry/name:tag@digest`; the tag is undefined when absent. */
export function parseImage(image: string): {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
} {
  const [withoutDigest = '', digest] = image.split('@');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1
    ? { name: withoutDigest, tag: undefined, digest }
    : { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
}

/** An exact release tag such as 1.32.0, v0.203.0, 16.13-alpine or 24.19.0-bookworm-slim. */
export const EXACT_VERSION_TAG = /^v?\d+(\.\d+)+(-[a-z0-9.-]+)?$/;
