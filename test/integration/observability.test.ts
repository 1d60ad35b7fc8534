/**
 * What operators see, on the real stack: every metric family counts, the Temporal SDK's worker
 * metrics and the Grafana dashboard's series are on /metrics, one grep by event_id tells a charge's
 * story across roles, a Kafka outage delays a completed charge's event without losing it, and no
 * secret reaches a log line, an error body or /metrics.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { dashboardMetricNames } from '../deploy/dashboard-metrics';
import { readRecordsFor } from '../support/kafka-reader';
import {
  AUTH_HEADER,
  startTestService,
  TEST_API_TOKEN,
  TEST_STRIPE_KEY,
  TEST_WEBHOOK_SECRET,
  type TestService,
} from '../support/service';
import { stack, startStackParts, stopStackParts } from '../support/stack';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

describe('observability on the real stack', { timeout: 240_000 }, () => {
  let service: TestService;
  let temporal: Client;
  const bodies: string[] = [];

  before(async () => {
    service = await startTestService();
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
  });
  after(async () => {
    await service?.stop();
    await temporal?.connection.close();
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${service.url}${path}`, init);
    const text = await res.text();
    bodies.push(text);
    return { status: res.status, text };
  };
  const postCharge = (body: object) =>
    call('/charge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      body: JSON.stringify(body),
    });
  const webhook = (payload: string, secret = TEST_WEBHOOK_SECRET) =>
    call('/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureFor(payload, secret) },
      body: payload,
    });
  const state = async (eventId: string): Promise<ChargeRecord> =>
    JSON.parse((await call(`/charges/${eventId}`, { headers: AUTH_HEADER })).text) as ChargeRecord;
  const newCharge = () => {
    const id = randomUUID();
    return { event_id: `evt-obs-${id}`, order_id: `order-obs-${id}`, amount: 1500, currency: 'usd' };
  };
  async function complete(charge: { event_id: string; order_id: string }, type: string): Promise<void> {
    const pi = await waitUntil(
      async () => (await state(charge.event_id)).payment_intent_id ?? undefined,
      'PI',
    );
    const payload = paymentIntentEvent({
      type,
      eventId: charge.event_id,
      orderId: charge.order_id,
      paymentIntentId: pi,
    });
    assert.equal((await webhook(payload)).status, 200);
  }
  const result = (eventId: string) =>
    temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId)).result();

  const succeeded = newCharge();

  it('runs a charge to success, one to failure, a duplicate, a conflict and bad webhooks', async () => {
    assert.equal((await postCharge(succeeded)).status, 202);
    await complete(succeeded, 'payment_intent.succeeded');
    assert.equal((await result(succeeded.event_id)).status, 'succeeded');

    // Server-confirmed: a declined card ends the charge failed (a browser checkout would stay open for
    // another card); stripe-mock's fixture answers the confirmation with a decline.
    const failed = { ...newCharge(), payment_method: 'pm_card_chargeDeclined' };
    assert.equal((await postCharge(failed)).status, 202);
    await complete(failed, 'payment_intent.payment_failed');
    assert.equal((await result(failed.event_id)).status, 'failed');

    assert.equal((await postCharge(succeeded)).status, 200);
    assert.equal((await postCharge({ ...succeeded, amount: 4999 })).status, 409);
    const forged = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId: succeeded.event_id });
    assert.equal((await webhook(forged, 'whsec_forged')).status, 400);
    assert.equal((await webhook(paymentIntentEvent({ type: 'payment_intent.succeeded' }))).status, 200);
    const sneaky = await call('/charge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_STRIPE_KEY}` },
      body: JSON.stringify(newCharge()),
    });
    assert.equal(sneaky.status, 401);
  });

  it('completes a charge in Temporal while Kafka is down, and publishes its event once the broker is back', async () => {
    const charge = newCharge();
    assert.equal((await postCharge(charge)).status, 202);
    await waitUntil(async () => (await state(charge.event_id)).payment_intent_id ?? undefined, 'PI');
    await stopStackParts(['kafka']);
    try {
      await complete(charge, 'payment_intent.succeeded');
      await waitUntil(
        async () => (await state(charge.event_id)).status === 'succeeded',
        'succeeded in Temporal',
      );
      await waitUntil(
        async () => (await service.metrics.kafkaPublishRetries.get()).values.some((v) => v.value > 0),
        'the publish activity to be retrying',
        60_000,
      );
    } finally {
      await startStackParts(['kafka']);
    }
    assert.equal((await result(charge.event_id)).status, 'succeeded');
    const records = await readRecordsFor(['payments.completed'], new Set([charge.event_id]));
    assert.ok(records.length >= 1, 'the event arrived after the outage');
    assert.equal(
      new Set(records.map((r) => r.headers['message_id'])).size,
      1,
      'any repeat carries the same id',
    );
  });

  it('counts every metric family, and serves the SDK worker metrics and every dashboard series', async () => {
    const text = (await call('/metrics')).text;
    const positive = (pattern: RegExp) =>
      [...text.matchAll(new RegExp(`^${pattern.source} (\\S+)$`, 'gm'))].some((m) => Number(m[1]) > 0);
    const families: Array<[string, RegExp]> = [
      ['HTTP requests', /payments_http_requests_total\{[^}]*route="\/charge"[^}]*\}/],
      ['HTTP latency', /payments_http_request_duration_seconds_count\{[^}]*route="\/charge"[^}]*\}/],
      ['charges started', /payments_charges_total\{[^}]*outcome="started"[^}]*\}/],
      ['duplicates', /payments_charges_total\{[^}]*outcome="duplicate"[^}]*\}/],
      ['conflicts', /payments_charges_total\{[^}]*outcome="conflict"[^}]*\}/],
      ['succeeded', /payments_charge_outcomes_total\{[^}]*status="succeeded"[^}]*\}/],
      ['failed', /payments_charge_outcomes_total\{[^}]*status="failed"[^}]*\}/],
      ['webhooks verified', /payments_webhook_events_total\{[^}]*result="verified"[^}]*\}/],
      ['webhooks rejected', /payments_webhook_events_total\{[^}]*result="rejected"[^}]*\}/],
      ['webhooks ignored', /payments_webhook_events_total\{[^}]*result="ignored"[^}]*\}/],
      ['Kafka publish latency', /payments_kafka_publish_duration_seconds_count\{[^}]*\}/],
      ['Kafka publish retries', /payments_kafka_publish_retries_total\{[^}]*\}/],
      ['Stripe requests', /payments_stripe_requests_total\{[^}]*\}/],
      [
        'SDK workflow task schedule-to-start',
        /temporal_workflow_task_schedule_to_start_latency_count\{[^}]*\}/,
      ],
      ['SDK activity schedule-to-start', /temporal_activity_schedule_to_start_latency_count\{[^}]*\}/],
    ];
    const missing = families.filter(([, pattern]) => !positive(pattern)).map(([name]) => name);
    assert.deepEqual(missing, [], 'every family has a non-zero sample');
    for (const name of ['workflow_task', 'activity']) {
      assert.match(
        text,
        new RegExp(`^temporal_${name}_schedule_to_start_latency_bucket\\{[^}]*le="1"\\} `, 'm'),
        `${name} schedule-to-start is bucketed from 1 ms, not the SDK's default 100 ms`,
      );
    }

    const exported = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
    const unknown = dashboardMetricNames().filter((name) => !exported.has(name));
    assert.deepEqual(unknown, [], 'the Grafana dashboard queries only series the service exports');
  });

  it('lets one grep by event_id follow a charge through the gateway, the receiver, the workflow and its activities', () => {
    const lines = service.logs.filter((line) => JSON.stringify(line).includes(succeeded.event_id));
    const unlabelled = lines.filter((l) => l['event_id'] !== succeeded.event_id);
    assert.deepEqual(unlabelled, [], 'every line about the charge carries its event_id');
    const withoutOrder = lines.filter(
      (l) => l['order_id'] !== succeeded.order_id && l['route'] !== '/charges/:event_id',
    );
    assert.deepEqual(withoutOrder, [], 'and its order_id');
    const story = lines.map((l) => String(l['msg']));
    const chapters = ['charge accepted', 'charge status changed', 'webhook signalled to charge'];
    for (const chapter of chapters)
      assert.ok(story.includes(chapter), `"${chapter}" in ${story.join(' → ')}`);
    assert.ok(story.indexOf('charge accepted') < story.indexOf('webhook signalled to charge'));
    const sources = new Set(lines.map((l) => (l['sdkComponent'] ?? l['component'] ?? 'api') as string));
    assert.ok(
      sources.has('api') && sources.has('workflow') && sources.has('activity'),
      [...sources].join(','),
    );
  });

  it('writes no secret into any log line, error body or metric', async () => {
    const metrics = (await call('/metrics')).text;
    const everything = [...service.logs.map((l) => JSON.stringify(l)), ...bodies, metrics].join('\n');
    for (const secret of [TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET, TEST_API_TOKEN]) {
      assert.ok(!everything.includes(secret), `a secret leaked (${secret.slice(0, 8)}…)`);
    }
    assert.ok(service.logs.length > 20, "the scan saw the suite's logs");
  });
});
