import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import type { ReadinessCheck } from '../../src/observability/readiness';
import type { DedupeRefusal } from '../../src/api/temporal/dedupe-window';
import { createStripeClient } from '../../src/stripe/client';
import { createStripeWebhooks } from '../../src/stripe/webhooks';
import { DEFAULT_CHARGE_TIMING } from '../../src/contracts/charge';
import { DEFAULT_REFUND_WINDOW_SECONDS } from '../../src/contracts/refund';
import { TOPIC_KEYS, TOPICS, type TopicNames } from '../../src/contracts/topics';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { FakeChargeWorkflows } from './fake-charge-workflows';
import { FakeDisputeWorkflows } from './fake-dispute-workflows';

export const DEFAULT_TOPIC_NAMES = Object.fromEntries(
  TOPIC_KEYS.map((key) => [key, TOPICS[key].default]),
) as TopicNames;

export const TEST_API_TOKEN = 'test-api-token-0123456789';
export const TEST_WEBHOOK_SECRETS = ['whsec_test_current', 'whsec_test_previous'] as const;

/** The gateway's dedupe-window watch, told by the test what the namespace's retention allows. */
export class FakeDedupeWindow {
  readonly windowSeconds = 8 * 86_400;
  /** Set to a reason to play a namespace whose retention is shorter than the window. */
  shortRetention: string | undefined;
  /** Set to a reason to play a gateway that has not read the retention yet (Temporal was down). */
  unread: string | undefined;
  problem(): string | undefined {
    return this.unread ?? this.shortRetention;
  }
  async refusal(): Promise<DedupeRefusal | undefined> {
    if (this.unread !== undefined) return { code: 'dedupe_window_unconfirmed', reason: this.unread };
    if (this.shortRetention !== undefined)
      return { code: 'dedupe_window_not_kept', reason: this.shortRetention };
    return undefined;
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly charges: FakeChargeWorkflows;
  readonly disputes: FakeDisputeWorkflows;
  readonly dedupe: FakeDedupeWindow;
  readonly metrics: Metrics;
}

/**
 * The real app (gateway + webhook roles) over a fake Temporal, for `app.inject` tests;
 * `maxReadsPerSecond`: the gateway's GATEWAY_MAX_READS_PER_SECOND (none: no limit).
 */
export async function buildTestApp(
  readiness: ReadinessCheck[] = [],
  options: { readonly maxReadsPerSecond?: number; readonly pollAfterSeconds?: () => number } = {},
): Promise<TestApp> {
  const charges = new FakeChargeWorkflows();
  const disputes = new FakeDisputeWorkflows();
  const dedupe = new FakeDedupeWindow();
  const metrics = createMetrics();
  const stripe = createStripeClient({
    stripe: { key: 'sk_test_123', apiBase: undefined },
  });
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    metrics,
    readiness,
    gateway: {
      charges,
      disputes,
      dedupe,
      apiTokens: [TEST_API_TOKEN, 'previous-api-token-0123456789'],
      timing: DEFAULT_CHARGE_TIMING,
      refundWindowSeconds: DEFAULT_REFUND_WINDOW_SECONDS,
      topics: DEFAULT_TOPIC_NAMES,
      ...(options.maxReadsPerSecond !== undefined ? { maxReadsPerSecond: options.maxReadsPerSecond } : {}),
      ...(options.pollAfterSeconds !== undefined ? { pollAfterSeconds: options.pollAfterSeconds } : {}),
    },
    webhook: {
      charges,
      disputes,
      webhooks: createStripeWebhooks(stripe, {
        secrets: TEST_WEBHOOK_SECRETS,
        toleranceSeconds: 300,
        livemode: false,
      }),
      lateSuccessPolicy: 'refund',
    },
  });
  return { app, charges, disputes, dedupe, metrics };
}
