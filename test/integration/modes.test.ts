/**
 * The one binary in each PAYMENTS_MODE against the real stack: every mode serves /healthz,
 * /readyz and /metrics; the worker mode runs a charge to completion; the codec server decodes what
 * the worker wrote; SIGTERM exits 0.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { fromJson, toJson, type JsonPayloads } from '../../src/api/codec/protocol';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { chargeStateQuery, stripeEventSignal } from '../../src/workflows/messages';
import { StandinControl } from '../../tools/stripe-standin/control-client';
import { spawnService } from '../support/spawned-service';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

function envFor(mode: string, taskQueue = `modes-${randomUUID()}`): Record<string, string> {
  return {
    PAYMENTS_MODE: mode,
    // The codec server is deployed without a Stripe key.
    ...(mode === 'codec-server' ? {} : { STRIPE_KEY: 'sk_test_modes' }),
    STRIPE_WEBHOOK_SECRET: 'whsec_modes',
    CHARGE_API_TOKEN: 'modes-token-0123456789',
    STRIPE_API_BASE: stack.stripeStandinUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    KAFKA_BROKERS: stack.kafkaBrokers,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
    ...(mode === 'codec-server' ? { CODEC_SERVER_TOKEN: 'modes-codec-token-0123456789' } : {}),
  };
}

const EXPECTED_CHECKS: Record<string, string[]> = {
  gateway: ['dedupe_window', 'temporal'],
  'webhook-receiver': ['temporal'],
  worker: ['kafka', 'worker'],
  all: ['dedupe_window', 'kafka', 'temporal', 'worker'],
  // Keys are checked at start; it calls nothing.
  'codec-server': [],
};

describe('PAYMENTS_MODE', { timeout: 180_000 }, () => {
  for (const mode of ['gateway', 'webhook-receiver', 'worker', 'all', 'codec-server']) {
    it(`${mode}: serves /healthz, /readyz (checking its own dependencies) and /metrics, and stops cleanly on SIGTERM`, async () => {
      const service = await spawnService(envFor(mode));
      try {
        assert.deepEqual(await (await fetch(`${service.url}/healthz`)).json(), { status: 'ok' });
        const ready = await waitUntil(async () => {
          const res = await fetch(`${service.url}/readyz`);
          return res.status === 200 ? ((await res.json()) as { checks: Record<string, string> }) : undefined;
        }, `${mode} to be ready`);
        assert.deepEqual(Object.keys(ready.checks).sort(), EXPECTED_CHECKS[mode]);
        const metrics = await fetch(`${service.url}/metrics`);
        assert.equal(metrics.status, 200);
        const text = await metrics.text();
        assert.match(text, /^# TYPE payments_http_requests_total counter$/m);
        assert.match(text, /payments_http_requests_total\{[^}]*route="\/readyz"[^}]*status_code="200"/);
      } finally {
        assert.equal(await service.stop(), 0, `clean exit; output:\n${service.output()}`);
      }
    });
  }

  it('worker: runs a ChargeWorkflow on the dev server to completion; codec-server decodes its result', async () => {
    const taskQueue = `modes-worker-${randomUUID()}`;
    const worker = await spawnService(envFor('worker', taskQueue));
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, dataConverter: localDataConverter() });
      const id = randomUUID();
      const request = { event_id: `evt-worker-${id}`, order_id: `order-${id}`, amount: 700, currency: 'gbp' };
      await createChargeWorkflows(client, taskQueue).start({ request, payload_hash: 'h' });
      const handle = client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
      const created: ChargeRecord = await waitUntil(async () => {
        const state = await handle.query(chargeStateQuery);
        return state.payment_intent_id ? state : undefined;
      }, 'the worker to create the PaymentIntent at the Stripe stand-in');
      // The customer pays at Stripe; its webhook is the signal the receiver would send.
      await new StandinControl(stack.stripeStandinUrl).confirm(
        created.payment_intent_id ?? '',
        'pm_card_visa',
      );
      await handle.signal(stripeEventSignal, {
        stripe_event_id: `evt_${id}`,
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        payment_intent_id: created.payment_intent_id ?? '',
        payment_intent_status: 'succeeded',
        failure: null,
      });
      const result = await handle.result();
      assert.equal(result.status, 'succeeded');

      // What the worker wrote, as Temporal holds it, decoded by the codec-server binary.
      const events = (await handle.fetchHistory()).events ?? [];
      const written = events.find((e) => e.workflowExecutionCompletedEventAttributes)
        ?.workflowExecutionCompletedEventAttributes?.result;
      const codecServer = await spawnService(envFor('codec-server'));
      try {
        const res = await fetch(`${codecServer.url}/decode`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer modes-codec-token-0123456789',
          },
          body: JSON.stringify(toJson(written?.payloads ?? [])),
        });
        assert.equal(res.status, 200);
        const [decoded] = fromJson((await res.json()) as JsonPayloads).payloads;
        assert.deepEqual(defaultPayloadConverter.fromPayload(decoded ?? {}), result);
      } finally {
        assert.equal(await codecServer.stop(), 0);
      }
    } finally {
      await connection.close();
      assert.equal(await worker.stop(), 0);
    }
  });
});
