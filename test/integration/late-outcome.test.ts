/**
 * Stripe's word after the close, on the real stack (Temporal dev server, Kafka, stripe-mock behind the
 * recording proxy, the service's real roles): money Stripe reports taken for a charge that already
 * ended canceled is refunded at Stripe once and announced on payments.refunded with its cause,
 * however often Stripe delivers the event.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import { LATE_SUCCESS_CAUSE, lateOutcomeWorkflowId } from '../../src/contracts/late-outcome';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { LateOutcomeWorkflow } from '../../src/workflows/late-outcome';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { readRecordsFor } from '../support/kafka-reader';
import { localDataConverter } from '../support/codec';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';
import { waitUntil } from '../support/wait';

describe('money taken after a charge ended (real stack)', { timeout: 180_000 }, () => {
  // A stateful Stripe cannot take money for a PaymentIntent it canceled: the events are made here,
  // and the recording proxy in front of stripe-mock shows the refund the service asks for.
  const running = {} as { proxy: StripeRecordingProxy; service: TestService; temporal: Client };
  before(async () => {
    running.proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
    running.service = await startTestService({ STRIPE_API_BASE: running.proxy.url });
    running.temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
  });
  after(async () => {
    await running.service?.stop();
    await running.temporal?.connection.close();
    await running.proxy?.close();
  });

  const url = () => running.service.url;
  const call = (path: string, body?: object) =>
    fetch(`${url()}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', ...AUTH_HEADER },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('refunds it at Stripe once and publishes payments.refunded with its cause, whatever Stripe redelivers', async () => {
    const id = randomUUID();
    const charge = {
      event_id: `evt-late-${id}`,
      order_id: `order-late-${id}`,
      amount: 3100,
      currency: 'usd',
    };
    assert.equal((await call('/charge', charge)).status, 202);
    const pi = await waitUntil(async () => {
      const record = (await (await call(`/charges/${charge.event_id}`)).json()) as ChargeRecord;
      return record.payment_intent_id ?? undefined;
    }, 'the PaymentIntent');
    assert.equal((await call(`/charges/${charge.event_id}/cancel`, {})).status, 200);
    const ended = await running.temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id))
      .result();
    assert.equal(ended.status, 'canceled');

    // A customer holding the old client_secret pays anyway; Stripe says so, twice.
    const body = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      orderId: charge.order_id,
      paymentIntentId: pi,
      amount: charge.amount,
      currency: charge.currency,
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url()}/stripe/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(body, TEST_WEBHOOK_SECRET),
        },
        body,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { received: true });
    }

    const verdict = await running.temporal.workflow
      .getHandle<typeof LateOutcomeWorkflow>(lateOutcomeWorkflowId(charge.event_id))
      .result();
    assert.equal(verdict, 'settled');
    const refunds = running.proxy.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    const ours = refunds.filter((r) => r.params['payment_intent'] === pi);
    assert.equal(ours.length, 1, 'one refund at Stripe');
    assert.equal(ours[0]?.params['amount'], String(charge.amount));

    const records = await waitUntil(async () => {
      const read = await readRecordsFor(['payments.refunded', 'payments.failed'], new Set([charge.event_id]));
      return read.some((r) => r.topic === 'payments.refunded') ? read : undefined;
    }, 'the refund record');
    const refunded = records.filter((r) => r.topic === 'payments.refunded');
    assert.equal(refunded.length, 1);
    assert.equal(refunded[0]?.value['cause'], LATE_SUCCESS_CAUSE);
    assert.equal(refunded[0]?.value['amount'], charge.amount);
    assert.equal(
      records.filter((r) => r.topic === 'payments.failed').length,
      1,
      'the earlier announcement stands',
    );
  });
});
