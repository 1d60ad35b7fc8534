/**
 * Key rotation as an operator does it (README, "Payload encryption"), on the real stack: charges
 * written under the old key, then the service restarted with a new key added and made the writer.
 *   - a charge still open across the rotation is read (GET), signalled and completed by the new
 *     worker, whose new events are written under the new key;
 *   - histories written under the old key replay and read with both keys configured;
 *   - the visibility query the README gives counts the workflows that still need the old key;
 *   - with the old key removed, replaying or reading them fails with an error naming that key id.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { temporalDataConverter } from '../../src/clients/data-converter';
import { EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError } from '../../src/clients/payload-codec';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { codecKeys, decodePayloadsIn, newCodecKey } from '../support/codec';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { workflowBundle } from '../support/workflow-env';
import { workflowTracingSinks } from '../../src/roles/worker';

const OLD = newCodecKey('2025-old');
const NEW = newCodecKey('2025-new');
const ROTATED = `${OLD},${NEW}`;

const utf8 = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');
const keyIdOf = (payload: Payload | null | undefined): string => utf8(payload?.metadata?.[KEY_ID_METADATA]);

describe('payload key rotation (real stack)', { timeout: 180_000 }, () => {
  const taskQueue = `rotation-${randomUUID()}`;
  let service: TestService | undefined;
  let temporal: Client;
  /** A charge completed under the old key, and one left open across the rotation. */
  const closed = newCharge();
  const open = newCharge();
  let rotatedAt: Date;

  function newCharge() {
    const id = randomUUID();
    return { event_id: `evt-rot-${id}`, order_id: `order-rot-${id}`, amount: 4321, currency: 'usd' };
  }

  const start = (keys: string, activeKeyId?: string) =>
    startTestService({
      TEMPORAL_TASK_QUEUE: taskQueue,
      PAYMENTS_CODEC_KEYS: keys,
      ...(activeKeyId ? { PAYMENTS_CODEC_ACTIVE_KEY_ID: activeKeyId } : {}),
    });

  async function post(charge: ReturnType<typeof newCharge>): Promise<ChargeRecord> {
    const res = await fetch(`${service?.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=5', ...AUTH_HEADER },
      body: JSON.stringify(charge),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as ChargeRecord;
  }

  async function succeed(charge: ReturnType<typeof newCharge>, paymentIntentId: string): Promise<void> {
    const event = paymentIntentEvent({
      type: 'payment_intent.succeeded',
      eventId: charge.event_id,
      orderId: charge.order_id,
      paymentIntentId,
      status: 'succeeded',
    });
    const res = await fetch(`${service?.url}/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureFor(event, TEST_WEBHOOK_SECRET),
      },
      body: event,
    });
    assert.equal(res.status, 200);
  }

  const history = (charge: ReturnType<typeof newCharge>): Promise<History> =>
    temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).fetchHistory();

  async function replay(keys: string): Promise<string[]> {
    const histories = [closed, open].map(async (charge) => ({
      workflowId: chargeWorkflowId(charge.event_id),
      history: await history(charge),
    }));
    const errors: string[] = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowBundle: await workflowBundle(),
        dataConverter: temporalDataConverter(codecKeys(keys)),
        sinks: workflowTracingSinks(),
      },
      await Promise.all(histories),
    )) {
      if (result.error) errors.push(`${result.workflowId}: ${result.error.message}`);
    }
    return errors;
  }

  before(async () => {
    // Reads raw histories: payloads stay as Temporal holds them (fetchHistory applies no codec).
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: temporalDataConverter(codecKeys(ROTATED, '2025-new')),
    });
    service = await start(OLD);
    await succeed(closed, String((await post(closed)).payment_intent_id));
    assert.equal(
      (await temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(closed.event_id)).result())
        .status,
      'succeeded',
    );
    const waiting = await post(open);
    assert.equal(waiting.status, 'pending');
    await service.stop();

    // The rotation: the new key added and made the writer; the old one kept for reading.
    rotatedAt = new Date();
    service = await start(ROTATED, '2025-new');
  });
  after(async () => {
    await service?.stop();
    await temporal?.connection.close();
  });

  it('a charge open across the rotation is read, signalled and completed; its new events use the new key', async () => {
    const res = await fetch(`${service?.url}/charges/${open.event_id}`, { headers: AUTH_HEADER });
    assert.equal(res.status, 200, await res.clone().text());
    const before = (await res.json()) as ChargeRecord;
    assert.equal(before.status, 'pending');
    await succeed(open, String(before.payment_intent_id));
    const final = await temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(open.event_id))
      .result();
    assert.equal(final.status, 'succeeded');
    assert.equal(final.order_id, open.order_id);

    const events = (await history(open)).events ?? [];
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const signal = events.find((e) => e.workflowExecutionSignaledEventAttributes)
      ?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    const result = events.find((e) => e.workflowExecutionCompletedEventAttributes)
      ?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    assert.deepEqual(
      [keyIdOf(input), keyIdOf(signal), keyIdOf(result)],
      ['2025-old', '2025-new', '2025-new'],
    );
  });

  it('histories written under the old key replay and read with both keys configured', async () => {
    assert.deepEqual(await replay(ROTATED), []);
    const codec = new EncryptionCodec(codecKeys(ROTATED, '2025-new'));
    const decoded = await decodePayloadsIn(await history(closed), codec);
    const input = decoded.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.match(utf8(input?.data), new RegExp(closed.order_id));
  });

  it("the README's visibility query counts the workflows that still hold old-key payloads", async () => {
    const query = `TaskQueue = "${taskQueue}" AND StartTime < "${rotatedAt.toISOString()}"`;
    const started = `TaskQueue = "${taskQueue}"`;
    await waitUntil(async () => (await temporal.workflow.count(started)).count === 2, 'both charges visible');
    assert.equal((await temporal.workflow.count(query)).count, 2, query);
    // A charge started after the rotation holds none.
    const later = newCharge();
    await post(later);
    await waitUntil(
      async () => (await temporal.workflow.count(started)).count === 3,
      'the third charge visible',
    );
    assert.equal((await temporal.workflow.count(query)).count, 2, query);
    await temporal.workflow.getHandle(chargeWorkflowId(later.event_id)).terminate('test over');
  });

  it('with the old key removed, replay and reads fail naming the missing key id', async () => {
    const errors = await replay(NEW);
    assert.equal(errors.length, 2, errors.join('\n'));
    // The workflow task's failure, kept plain by the failure converter (it names key ids only).
    for (const error of errors) {
      assert.match(error, /key id \\?"2025-old\\?", which is not in PAYMENTS_CODEC_KEYS/);
    }
    const codec = new EncryptionCodec(codecKeys(NEW));
    await assert.rejects(decodePayloadsIn(await history(closed), codec), (err: unknown) => {
      assert.ok(err instanceof PayloadDecryptionError);
      assert.equal(err.keyId, '2025-old');
      assert.match(err.message, /configured: 2025-new\); add that key back to read it/);
      return true;
    });
  });
});
