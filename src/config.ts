/**
 * The one place that reads `process.env`. Everything else receives a validated, frozen `Config`.
 * Every problem is collected before failing so an operator fixes a bad deployment in one pass.
 */

import {
  CAPTURE_ON_EXPIRY,
  DEFAULT_CAPTURE_POLICY,
  DEFAULT_CHARGE_TIMING,
  type CapturePolicy,
  type ChargeTiming,
} from './contracts/charge';
import { DEFAULT_REFUND_WINDOW_SECONDS } from './contracts/refund';
import {
  DEFAULT_LATE_SUCCESS_POLICY,
  LATE_SUCCESS_POLICIES,
  type LateSuccessPolicy,
} from './contracts/late-outcome';
import { DEFAULT_DISPUTE_TIMING, type DisputeTiming } from './contracts/dispute';
import { TOPIC_KEYS, TOPICS, type TopicKey, type TopicNames } from './contracts/topics';

export const PAYMENTS_MODES = ['gateway', 'webhook-receiver', 'worker', 'all', 'codec-server'] as const;
export type PaymentsMode = (typeof PAYMENTS_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly mode: PaymentsMode;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly logPretty: boolean;
  readonly stripe: {
    readonly key: string;
    /** Parsed from STRIPE_API_BASE; absent means Stripe's own API. */
    readonly apiBase:
      { readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number } | undefined;
    /** Several secrets are accepted so a webhook secret can be rotated without dropping events. */
    readonly webhookSecrets: readonly string[];
    readonly webhookToleranceSeconds: number;
    /** Every worker's Stripe calls together stay under this (the Stripe task queue's dispatch rate). */
    readonly maxRequestsPerSecond: number;
  };
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly taskQueue: string;
    /** Present when the connection uses TLS (mTLS with a client pair, or server-verified only). */
    readonly tls: TemporalTls | undefined;
    /** Temporal Cloud style API key; implies TLS. */
    readonly apiKey: string | undefined;
  };
  /** The payload codec's keys: every payload this service hands Temporal is encrypted with one. */
  readonly codec: CodecKeys;
  /** The codec server role (Temporal's remote codec protocol, for the Web UI and the CLI). */
  readonly codecServer: {
    /** Bearer tokens accepted on /encode and /decode; several allow rotation without downtime. */
    readonly tokens: readonly string[];
    /** Browser origins (the Temporal Web UI's) allowed to call it. */
    readonly corsOrigins: readonly string[];
  };
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly ssl: { readonly caPath: string | undefined } | undefined;
    readonly sasl:
      | {
          readonly mechanism: 'plain' | 'scram-sha-512';
          readonly username: string;
          readonly password: string;
        }
      | undefined;
    readonly topics: TopicNames;
  };
  readonly api: {
    /** Bearer tokens accepted on /charge and /charges/*; several allow rotation without downtime. */
    readonly chargeApiTokens: readonly string[];
    /** Charge reads one gateway answers per second: storefronts polling never starve POST /charge. */
    readonly maxReadsPerSecond: number;
  };
  /** Handed to every charge at start (the workflow cannot read config); see ChargeTiming. */
  readonly chargeTiming: ChargeTiming;
  /** Handed to every manual-capture charge at start: what it does before its hold expires. */
  readonly capturePolicy: CapturePolicy;
  readonly refundWindowSeconds: number;
  /** What the webhook receiver's late-outcome handling does with money taken after a charge ended. */
  readonly lateSuccessPolicy: LateSuccessPolicy;
  /** Handed to every dispute workflow at start by the webhook receiver; the gateway's gauges use it too. */
  readonly disputeTiming: DisputeTiming;
  readonly disputeCountIntervalSeconds: number;
  /** How long a repeated event_id is refused as a duplicate: the namespace must retain charges this long. */
  readonly dedupeWindowSeconds: number;
  /** OpenTelemetry: spans are exported only when an OTLP endpoint is set (tracing.ts). */
  readonly tracing: {
    /** Base URL of an OTLP/HTTP receiver; the exporter posts to <base>/v1/traces. */
    readonly otlpEndpoint: string | undefined;
  };
  readonly worker: {
    readonly maxConcurrentActivities: number;
    readonly maxConcurrentWorkflowTasks: number;
    readonly maxCachedWorkflows: number;
    readonly workflowBundlePath: string | undefined;
    /** How long SIGTERM waits for running activities before the worker gives up on them. */
    readonly shutdownGraceSeconds: number;
  };
}

export interface CodecKey {
  /** Written into each encrypted payload's metadata, so a reader picks the right key. */
  readonly id: string;
  /** 32 bytes: AES-256. */
  readonly key: Buffer;
}

export interface CodecKeys {
  /** Every key payloads may have been written with (readers), the active one among them. */
  readonly keys: readonly CodecKey[];
  /** The key new payloads are encrypted with. */
  readonly activeKeyId: string;
}

export interface TemporalTls {
  readonly clientCertPath: string | undefined;
  readonly clientKeyPath: string | undefined;
  readonly serverCaPath: string | undefined;
  readonly serverName: string | undefined;
}

/** The topic variables, from the one topic table. */
const TOPIC_VARIABLES = TOPIC_KEYS.map((key) => ({
  name: TOPICS[key].variable,
  default: TOPICS[key].default,
  meaning: TOPICS[key].meaning,
})) as ReadonlyArray<{
  name: (typeof TOPICS)[TopicKey]['variable'];
  default: string;
  meaning: string;
}>;

/**
 * Every variable the service reads, with its default and meaning: the README's table, the compose
 * file and the k8s manifests are checked against this list by tests.
 */
export const CONFIG_VARIABLES = [
  {
    name: 'PAYMENTS_MODE',
    default: '(required)',
    meaning: 'Role(s) of this process: gateway, webhook-receiver, worker, all (those three), or codec-server',
  },
  {
    name: 'PORT',
    default: '8080',
    meaning: 'HTTP port for the API and /healthz, /readyz, /metrics (every mode)',
  },
  {
    name: 'HOST',
    default: '127.0.0.1',
    meaning: 'HTTP bind address; loopback unless set (the image sets 0.0.0.0)',
  },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'LOG_PRETTY', default: 'false', meaning: 'Human-readable logs (development only)' },
  {
    name: 'STRIPE_KEY',
    default: '(required for gateway, webhook-receiver, worker, all)',
    meaning: 'Stripe secret or restricted key (sk_… / rk_…); never logged',
    secret: true,
  },
  {
    name: 'STRIPE_API_BASE',
    default: "(Stripe's API)",
    meaning: 'Scheme, host and port of a Stripe emulator, e.g. the stand-in http://127.0.0.1:12112',
  },
  {
    name: 'STRIPE_WEBHOOK_SECRET',
    default: '(required for webhook-receiver, all)',
    meaning: 'whsec_… signing secret(s), comma-separated for rotation',
    secret: true,
  },
  { name: 'STRIPE_WEBHOOK_TOLERANCE_SECONDS', default: '300', meaning: 'Maximum age of a webhook signature' },
  {
    name: 'STRIPE_MAX_REQUESTS_PER_SECOND',
    default: '(20 test key, 80 live)',
    meaning: "Stripe calls per second from every worker together, under Stripe's limit (25 test, 100 live)",
  },
  {
    name: 'CHARGE_API_TOKEN',
    default: '(required for gateway, all)',
    meaning: 'Bearer token(s) callers of /charge must send, comma-separated for rotation',
    secret: true,
  },
  {
    name: 'GATEWAY_MAX_READS_PER_SECOND',
    default: '200',
    meaning: 'GET /charges/:event_id one gateway answers per second; above it 503 busy, Retry-After: 1',
  },
  { name: 'TEMPORAL_ADDRESS', default: '127.0.0.1:7233', meaning: 'Temporal frontend host:port' },
  { name: 'TEMPORAL_NAMESPACE', default: 'default', meaning: 'Temporal namespace' },
  {
    name: 'TEMPORAL_TASK_QUEUE',
    default: 'payments',
    meaning: 'Task queue the worker polls and the gateway starts charges on',
  },
  {
    name: 'TEMPORAL_TLS',
    default: 'false',
    meaning: 'Use TLS to Temporal (implied by any TEMPORAL_TLS_* path or TEMPORAL_API_KEY)',
  },
  { name: 'TEMPORAL_TLS_CERT_PATH', default: '(none)', meaning: 'Client certificate (PEM) for mTLS' },
  { name: 'TEMPORAL_TLS_KEY_PATH', default: '(none)', meaning: 'Client private key (PEM) for mTLS' },
  {
    name: 'TEMPORAL_TLS_CA_PATH',
    default: '(system CAs)',
    meaning: "CA bundle (PEM) that signed the server's certificate",
  },
  {
    name: 'TEMPORAL_TLS_SERVER_NAME',
    default: '(host of TEMPORAL_ADDRESS)',
    meaning: 'TLS server name to verify',
  },
  {
    name: 'TEMPORAL_API_KEY',
    default: '(none)',
    meaning: 'API key (Temporal Cloud); sent as a bearer token over TLS',
    secret: true,
  },
  {
    name: 'PAYMENTS_CODEC_KEYS',
    default: '(required)',
    meaning:
      'Payload encryption keys, id:base64 of 32 bytes, comma-separated: every key a payload may use (rotation)',
    secret: true,
  },
  {
    name: 'PAYMENTS_CODEC_ACTIVE_KEY_ID',
    default: '(the first of PAYMENTS_CODEC_KEYS)',
    meaning: 'Id of the key new payloads are encrypted with; one of PAYMENTS_CODEC_KEYS',
  },
  {
    name: 'CODEC_SERVER_TOKEN',
    default: '(required for codec-server)',
    meaning: 'Bearer token(s) callers of the codec server must send, comma-separated for rotation',
    secret: true,
  },
  {
    name: 'CODEC_SERVER_CORS_ORIGINS',
    default: '(none)',
    meaning: 'Web UI origins allowed to call the codec server, comma-separated (e.g. http://127.0.0.1:8233)',
  },
  {
    name: 'KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    meaning: 'Comma-separated bootstrap brokers host:port',
  },
  { name: 'KAFKA_CLIENT_ID', default: 'payments-service', meaning: 'Kafka client id' },
  { name: 'KAFKA_SSL', default: 'false', meaning: 'Use TLS to Kafka (implied by KAFKA_SSL_CA_PATH)' },
  {
    name: 'KAFKA_SSL_CA_PATH',
    default: '(system CAs)',
    meaning: "CA bundle (PEM) that signed the brokers' certificates",
  },
  { name: 'KAFKA_SASL_MECHANISM', default: '(none)', meaning: 'plain or scram-sha-512' },
  { name: 'KAFKA_SASL_USERNAME', default: '(none)', meaning: 'SASL user name' },
  { name: 'KAFKA_SASL_PASSWORD', default: '(none)', meaning: 'SASL password', secret: true },
  ...TOPIC_VARIABLES,
  {
    name: 'CHARGE_RECONCILE_AFTER_SECONDS',
    default: String(DEFAULT_CHARGE_TIMING.reconcile_after_seconds),
    meaning: 'Ask Stripe for the PaymentIntent when no final webhook came within this time',
  },
  {
    name: 'CHARGE_RECONCILE_MAX_INTERVAL_SECONDS',
    default: String(DEFAULT_CHARGE_TIMING.reconcile_max_interval_seconds),
    meaning: 'Reconciliation backs off (doubling) up to this interval',
  },
  {
    name: 'CHARGE_DEADLINE_SECONDS',
    default: String(DEFAULT_CHARGE_TIMING.reconcile_deadline_seconds),
    meaning: 'A charge still open after this long is canceled at Stripe and ends canceled',
  },
  {
    name: 'CHARGE_REQUIRES_ACTION_WINDOW_SECONDS',
    default: String(DEFAULT_CHARGE_TIMING.requires_action_window_seconds),
    meaning: 'How long a charge may wait in requires_action (3-D Secure) before it is canceled',
  },
  {
    name: 'CAPTURE_HOLD_DEFAULT_SECONDS',
    default: String(DEFAULT_CAPTURE_POLICY.hold_default_seconds),
    meaning: "Manual capture: the hold's lifetime when Stripe does not say (capture_before); 6 days 12 hours",
  },
  {
    name: 'CAPTURE_EXPIRY_MARGIN_SECONDS',
    default: String(DEFAULT_CAPTURE_POLICY.expiry_margin_seconds),
    meaning: 'Manual capture: act on an uncaptured hold this long before it expires (6 hours)',
  },
  {
    name: 'CAPTURE_ON_EXPIRY',
    default: DEFAULT_CAPTURE_POLICY.on_expiry,
    meaning: `Manual capture: what to do with a hold about to expire: ${CAPTURE_ON_EXPIRY.join(' | ')} (void announces canceled)`,
  },
  {
    name: 'CHARGE_DEDUPE_WINDOW',
    default: '8d',
    meaning: 'How long a repeated event_id is recognised (8d, 192h…); namespace retention must be ≥',
  },
  {
    name: 'LATE_SUCCESS_POLICY',
    default: DEFAULT_LATE_SUCCESS_POLICY,
    meaning: `Money Stripe takes after a charge was announced failed/canceled: ${LATE_SUCCESS_POLICIES.join(' | ')}`,
  },
  {
    name: 'REFUND_WINDOW_SECONDS',
    default: String(DEFAULT_REFUND_WINDOW_SECONDS),
    meaning: 'How long after a charge succeeded refunds are accepted (180 days)',
  },
  {
    name: 'DISPUTE_EVIDENCE_WARNING_SECONDS',
    default: String(DEFAULT_DISPUTE_TIMING.evidence_warning_seconds),
    meaning: "Log a warning this long before a dispute's evidence is due while none is submitted (2 days)",
  },
  {
    name: 'DISPUTE_LINGER_AFTER_CLOSE_SECONDS',
    default: String(DEFAULT_DISPUTE_TIMING.linger_after_close_seconds),
    meaning: 'How long a closed dispute still takes late events, e.g. funds reinstated (7 days)',
  },
  {
    name: 'DISPUTE_COUNT_INTERVAL_SECONDS',
    default: '60',
    meaning: "How often the gateway counts open disputes (payments_disputes_open) in Temporal's visibility",
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '(none: tracing off)',
    meaning: 'OTLP/HTTP base URL spans are exported to (…/v1/traces is appended), e.g. http://127.0.0.1:4318',
  },
  { name: 'WORKER_MAX_CONCURRENT_ACTIVITIES', default: '200', meaning: 'Activities one worker runs at once' },
  {
    name: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
    default: '100',
    meaning: 'Workflow tasks one worker runs at once',
  },
  {
    name: 'WORKER_MAX_CACHED_WORKFLOWS',
    default: '2000',
    meaning: 'Sticky cache size (workflows kept in memory)',
  },
  {
    name: 'WORKER_SHUTDOWN_GRACE_SECONDS',
    default: '30',
    meaning: 'On SIGTERM, how long running activities may finish',
  },
  {
    name: 'WORKFLOW_BUNDLE_PATH',
    default: 'dist/workflow-bundle.js',
    meaning: 'Prebuilt workflow bundle (bundled at start when absent)',
  },
] as const satisfies ReadonlyArray<{ name: string; default: string; meaning: string; secret?: boolean }>;

export type ConfigVariable = (typeof CONFIG_VARIABLES)[number]['name'];

/**
 * A variable's default as the table states it, the one source that loadConfig parses and the README
 * shows; undefined for the parenthesised ones ("(required)", "(none)", "(system CAs)"…).
 */
function defaultOf(name: ConfigVariable): string | undefined {
  const text = CONFIG_VARIABLES.find((v) => v.name === name)?.default;
  return text === undefined || text.startsWith('(') ? undefined : text;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Collects problems instead of throwing at the first one. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: ConfigVariable): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: ConfigVariable, pattern?: RegExp, patternReason?: string): string {
    const value = this.raw(name) ?? defaultOf(name) ?? '';
    if (pattern && !pattern.test(value))
      this.problems.push(`${name}: ${patternReason ?? 'has an invalid format'}`);
    return value;
  }

  /** Comma-separated values, trimmed, empties dropped. */
  list(name: ConfigVariable): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  integer(name: ConfigVariable, min: number, max: number): number {
    const fallback = Number(defaultOf(name));
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problems.push(
        `${name}: must be a whole number between ${min} and ${max} (got a non-numeric value)`,
      );
      return fallback;
    }
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      this.problems.push(`${name}: must be between ${min} and ${max} (got ${parsed})`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: ConfigVariable, allowed: readonly T[]): T {
    const value = this.raw(name) ?? defaultOf(name);
    if (value === undefined) {
      this.problems.push(`${name}: is required; valid values: ${allowed.join(', ')}`);
      return allowed[0] as T;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      // The value is echoed: these variables are never secret.
      this.problems.push(`${name}: "${value}" is not valid; valid values: ${allowed.join(', ')}`);
      return allowed[0] as T;
    }
    return value as T;
  }

  /** A duration such as 8d, 192h, 90m or 3600s, in seconds. */
  duration(name: ConfigVariable, minSeconds: number, maxSeconds: number): number {
    const text = this.raw(name) ?? defaultOf(name) ?? '';
    const match = /^(\d+)(d|h|m|s)$/.exec(text);
    const unit = { d: 86_400, h: 3600, m: 60, s: 1 } as const;
    const seconds = match ? Number(match[1]) * unit[match[2] as keyof typeof unit] : NaN;
    if (!(seconds >= minSeconds && seconds <= maxSeconds)) {
      this.problems.push(
        `${name}: must be a duration such as 8d, 192h, 90m or 3600s, between ${minSeconds} s and ${maxSeconds / 86_400} days (got "${text}")`,
      );
      return minSeconds;
    }
    return seconds;
  }

  boolean(name: ConfigVariable): boolean {
    const fallback = defaultOf(name) === 'true';
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
    this.problems.push(`${name}: must be true or false`);
    return fallback;
  }
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function parseStripeApiBase(reader: Reader): Config['stripe']['apiBase'] {
  const value = reader.raw('STRIPE_API_BASE');
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    reader.problems.push('STRIPE_API_BASE: must be an absolute http(s) URL such as http://127.0.0.1:12111');
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    reader.problems.push('STRIPE_API_BASE: scheme must be http or https');
    return undefined;
  }
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    reader.problems.push(
      'STRIPE_API_BASE: must be scheme, host and port only (no path, query or credentials)',
    );
    return undefined;
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port);
  return { protocol, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

function parseStripeKey(reader: Reader, mode: PaymentsMode): string {
  const key = reader.raw('STRIPE_KEY');
  if (key === undefined) {
    // The codec server never talks to Stripe, so it is not handed the key.
    if (mode !== 'codec-server') {
      reader.problems.push('STRIPE_KEY: is required (a Stripe secret or restricted key, sk_… or rk_…)');
    }
    return '';
  }
  // Never echo the value: even a malformed key may be a real secret pasted into the wrong variable.
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(key)) {
    reader.problems.push(
      'STRIPE_KEY: must look like sk_test_…, sk_live_…, rk_test_… or rk_live_… (value not shown)',
    );
  }
  return key;
}

/**
 * Stripe answers 429 above about 25 write requests a second in test mode and 100 in live mode; the
 * defaults leave room for the dashboard and other systems on the same account.
 */
export const STRIPE_DEFAULT_REQUESTS_PER_SECOND = { test: 20, live: 80 } as const;

/**
 * Whether a key charges real money: sk_live_… and rk_live_… do. The one place that knows the
 * pattern: the rate default and the webhook receiver (which applies only its own mode's events) ask here.
 */
export function isLiveKey(key: string): boolean {
  return /^(sk|rk)_live_/.test(key);
}

function parseStripeRate(reader: Reader): number {
  const live = isLiveKey(reader.raw('STRIPE_KEY') ?? '');
  const fallback = STRIPE_DEFAULT_REQUESTS_PER_SECOND[live ? 'live' : 'test'];
  return reader.raw('STRIPE_MAX_REQUESTS_PER_SECOND') === undefined
    ? fallback
    : reader.integer('STRIPE_MAX_REQUESTS_PER_SECOND', 1, 10_000);
}

function parseWebhookSecrets(reader: Reader, mode: PaymentsMode): string[] {
  const secrets = reader.list('STRIPE_WEBHOOK_SECRET');
  const receives = mode === 'webhook-receiver' || mode === 'all';
  if (receives && secrets.length === 0) {
    reader.problems.push(
      `STRIPE_WEBHOOK_SECRET: is required in mode ${mode} (one or more whsec_… secrets, comma-separated)`,
    );
  }
  if (secrets.some((s) => !s.startsWith('whsec_'))) {
    reader.problems.push('STRIPE_WEBHOOK_SECRET: every secret must start with whsec_ (values not shown)');
  }
  return secrets;
}

/** OTEL_EXPORTER_OTLP_ENDPOINT: an http(s) base URL, kept without a trailing slash. */
function parseOtlpEndpoint(reader: Reader): string | undefined {
  const value = reader.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search !== '' || url.username !== '') {
    reader.problems.push(
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL without query or credentials, e.g. http://127.0.0.1:4318',
    );
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

function parseChargeApiTokens(reader: Reader, mode: PaymentsMode): string[] {
  const tokens = reader.list('CHARGE_API_TOKEN');
  if ((mode === 'gateway' || mode === 'all') && tokens.length === 0) {
    reader.problems.push(
      `CHARGE_API_TOKEN: is required in mode ${mode} (one or more bearer tokens, comma-separated)`,
    );
  }
  if (tokens.some((t) => t.length < 16)) {
    reader.problems.push('CHARGE_API_TOKEN: every token must be at least 16 characters (values not shown)');
  }
  return tokens;
}

function parseTemporalTls(reader: Reader, apiKey: string | undefined): TemporalTls | undefined {
  const tls: TemporalTls = {
    clientCertPath: reader.raw('TEMPORAL_TLS_CERT_PATH'),
    clientKeyPath: reader.raw('TEMPORAL_TLS_KEY_PATH'),
    serverCaPath: reader.raw('TEMPORAL_TLS_CA_PATH'),
    serverName: reader.raw('TEMPORAL_TLS_SERVER_NAME'),
  };
  if ((tls.clientCertPath === undefined) !== (tls.clientKeyPath === undefined)) {
    reader.problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH: set both for mTLS, or neither');
  }
  const anyPath = Object.values(tls).some((v) => v !== undefined);
  const enabled = reader.boolean('TEMPORAL_TLS') || anyPath || apiKey !== undefined;
  return enabled ? tls : undefined;
}

function parseKafkaSecurity(reader: Reader): Pick<Config['kafka'], 'ssl' | 'sasl'> {
  const caPath = reader.raw('KAFKA_SSL_CA_PATH');
  const ssl = reader.boolean('KAFKA_SSL') || caPath !== undefined ? { caPath } : undefined;
  const mechanism = reader.raw('KAFKA_SASL_MECHANISM');
  const username = reader.raw('KAFKA_SASL_USERNAME');
  const password = reader.raw('KAFKA_SASL_PASSWORD');
  if (mechanism === undefined) return { ssl, sasl: undefined };
  if (mechanism !== 'plain' && mechanism !== 'scram-sha-512') {
    reader.problems.push('KAFKA_SASL_MECHANISM: must be plain or scram-sha-512');
    return { ssl, sasl: undefined };
  }
  if (username === undefined || password === undefined) {
    reader.problems.push(
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: both are required with KAFKA_SASL_MECHANISM',
    );
    return { ssl, sasl: undefined };
  }
  return { ssl, sasl: { mechanism, username, password } };
}

function parseBrokers(reader: Reader): string[] {
  const brokers = reader
    .string('KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0 || brokers.some((b) => !HOST_PORT.test(b))) {
    reader.problems.push('KAFKA_BROKERS: must be a comma-separated list of host:port');
  }
  return brokers;
}

const CODEC_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe base64 (`openssl rand -base64 32` writes the first). */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * PAYMENTS_CODEC_KEYS: `id:base64,id:base64…`, each key 32 bytes (AES-256). Problems name the key
 * by its position and id, never by its value.
 */
function parseCodecKeys(reader: Reader): CodecKeys {
  const entries = reader.list('PAYMENTS_CODEC_KEYS');
  const keys: CodecKey[] = [];
  if (entries.length === 0) {
    reader.problems.push(
      'PAYMENTS_CODEC_KEYS: is required (one or more id:base64 keys of 32 bytes, comma-separated; e.g. generate one with `openssl rand -base64 32`)',
    );
  }
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const material = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const where = `PAYMENTS_CODEC_KEYS: key ${index + 1}`;
    if (!CODEC_KEY_ID.test(id)) {
      reader.problems.push(
        `${where}: must be id:base64, the id 1-64 characters of A-Za-z0-9._- (value not shown)`,
      );
      return;
    }
    const key = BASE64.test(material) ? Buffer.from(material, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) {
      reader.problems.push(
        `${where} ("${id}"): must be base64 of exactly 32 bytes (AES-256; got ${key.length === 0 ? 'no valid base64' : `${key.length} bytes`}; value not shown)`,
      );
      return;
    }
    if (keys.some((k) => k.id === id)) {
      reader.problems.push(`${where}: the id "${id}" is used twice`);
      return;
    }
    keys.push({ id, key });
  });
  const activeKeyId = reader.raw('PAYMENTS_CODEC_ACTIVE_KEY_ID') ?? keys[0]?.id ?? '';
  if (keys.length > 0 && !keys.some((k) => k.id === activeKeyId)) {
    reader.problems.push(
      `PAYMENTS_CODEC_ACTIVE_KEY_ID: "${activeKeyId}" is not one of the ids in PAYMENTS_CODEC_KEYS (${keys.map((k) => k.id).join(', ')})`,
    );
  }
  return { keys, activeKeyId };
}

function parseCodecServerTokens(reader: Reader, mode: PaymentsMode): string[] {
  const tokens = reader.list('CODEC_SERVER_TOKEN');
  if (mode === 'codec-server' && tokens.length === 0) {
    reader.problems.push(
      'CODEC_SERVER_TOKEN: is required in mode codec-server (one or more bearer tokens, comma-separated)',
    );
  }
  // Also a path segment of the Web UI's codec endpoint (api/codec/routes.ts): URL-safe characters.
  if (tokens.some((t) => t.length < 16 || !/^[A-Za-z0-9._~-]+$/.test(t))) {
    reader.problems.push(
      'CODEC_SERVER_TOKEN: every token must be at least 16 characters of A-Za-z0-9._~- (values not shown)',
    );
  }
  return tokens;
}

function parseCorsOrigins(reader: Reader): string[] {
  const origins = reader.list('CODEC_SERVER_CORS_ORIGINS');
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      reader.problems.push(
        `CODEC_SERVER_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
  }
  return origins;
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export function loadConfig(env: Env = process.env): Config {
  const reader = new Reader(env);
  const mode = reader.oneOf('PAYMENTS_MODE', PAYMENTS_MODES);
  const temporalApiKey = reader.raw('TEMPORAL_API_KEY');
  const config: Config = {
    mode,
    port: reader.integer('PORT', 0, 65535),
    host: reader.string('HOST'),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS),
    logPretty: reader.boolean('LOG_PRETTY'),
    stripe: {
      key: parseStripeKey(reader, mode),
      apiBase: parseStripeApiBase(reader),
      webhookSecrets: parseWebhookSecrets(reader, mode),
      webhookToleranceSeconds: reader.integer('STRIPE_WEBHOOK_TOLERANCE_SECONDS', 1, 3600),
      maxRequestsPerSecond: parseStripeRate(reader),
    },
    temporal: {
      address: reader.string('TEMPORAL_ADDRESS', HOST_PORT, 'must be host:port'),
      namespace: reader.string('TEMPORAL_NAMESPACE'),
      taskQueue: reader.string('TEMPORAL_TASK_QUEUE'),
      tls: parseTemporalTls(reader, temporalApiKey),
      apiKey: temporalApiKey,
    },
    codec: parseCodecKeys(reader),
    codecServer: {
      tokens: parseCodecServerTokens(reader, mode),
      corsOrigins: parseCorsOrigins(reader),
    },
    kafka: {
      brokers: parseBrokers(reader),
      clientId: reader.string('KAFKA_CLIENT_ID'),
      ...parseKafkaSecurity(reader),
      topics: Object.fromEntries(
        TOPIC_KEYS.map((key) => [
          key,
          reader.string(TOPICS[key].variable, TOPIC, 'is not a valid topic name'),
        ]),
      ) as Record<TopicKey, string>,
    },
    api: {
      chargeApiTokens: parseChargeApiTokens(reader, mode),
      maxReadsPerSecond: reader.integer('GATEWAY_MAX_READS_PER_SECOND', 1, 100_000),
    },
    chargeTiming: {
      reconcile_after_seconds: reader.integer('CHARGE_RECONCILE_AFTER_SECONDS', 1, 86_400),
      reconcile_max_interval_seconds: reader.integer('CHARGE_RECONCILE_MAX_INTERVAL_SECONDS', 1, 86_400),
      reconcile_deadline_seconds: reader.integer('CHARGE_DEADLINE_SECONDS', 60, 30 * 86_400),
      requires_action_window_seconds: reader.integer('CHARGE_REQUIRES_ACTION_WINDOW_SECONDS', 60, 7 * 86_400),
    },
    capturePolicy: {
      hold_default_seconds: reader.integer('CAPTURE_HOLD_DEFAULT_SECONDS', 3600, 31 * 86_400),
      expiry_margin_seconds: reader.integer('CAPTURE_EXPIRY_MARGIN_SECONDS', 60, 7 * 86_400),
      on_expiry: reader.oneOf('CAPTURE_ON_EXPIRY', CAPTURE_ON_EXPIRY),
    },
    refundWindowSeconds: reader.integer('REFUND_WINDOW_SECONDS', 60, 400 * 86_400),
    lateSuccessPolicy: reader.oneOf('LATE_SUCCESS_POLICY', LATE_SUCCESS_POLICIES),
    disputeTiming: {
      evidence_warning_seconds: reader.integer('DISPUTE_EVIDENCE_WARNING_SECONDS', 60, 30 * 86_400),
      linger_after_close_seconds: reader.integer('DISPUTE_LINGER_AFTER_CLOSE_SECONDS', 60, 90 * 86_400),
    },
    disputeCountIntervalSeconds: reader.integer('DISPUTE_COUNT_INTERVAL_SECONDS', 1, 3600),
    dedupeWindowSeconds: reader.duration('CHARGE_DEDUPE_WINDOW', 3600, 400 * 86_400),
    tracing: { otlpEndpoint: parseOtlpEndpoint(reader) },
    worker: {
      maxConcurrentActivities: reader.integer('WORKER_MAX_CONCURRENT_ACTIVITIES', 1, 10000),
      maxConcurrentWorkflowTasks: reader.integer('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 2, 10000),
      maxCachedWorkflows: reader.integer('WORKER_MAX_CACHED_WORKFLOWS', 0, 100000),
      workflowBundlePath: reader.raw('WORKFLOW_BUNDLE_PATH'),
      shutdownGraceSeconds: reader.integer('WORKER_SHUTDOWN_GRACE_SECONDS', 1, 3600),
    },
  };
  // A margin as long as the hold would void every authorization the moment it is made.
  if (config.capturePolicy.expiry_margin_seconds >= config.capturePolicy.hold_default_seconds) {
    reader.problems.push(
      'CAPTURE_EXPIRY_MARGIN_SECONDS: must be shorter than CAPTURE_HOLD_DEFAULT_SECONDS (the hold would be voided at once)',
    );
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    // A typed array (a codec key's bytes) cannot be frozen; nothing hands it out but the codec.
    if (child !== null && typeof child === 'object' && !ArrayBuffer.isView(child)) {
      deepFreeze(child as object);
    }
  }
  return Object.freeze(value);
}

/**
 * The roles a mode runs in this process (`all` runs every charge role; the codec server, which
 * holds no charge path and is reached by operators' browsers, always runs alone).
 */
export function modeRoles(mode: PaymentsMode): ReadonlyArray<Exclude<PaymentsMode, 'all'>> {
  return mode === 'all' ? ['gateway', 'webhook-receiver', 'worker'] : [mode];
}
