/**
 * The gateway's overdue-charge queries on the real Temporal (its visibility store takes IS NULL and
 * StartTime comparisons): a charge that no worker runs counts as overdue once the clock is past each
 * threshold, on its own task queue, and stops counting when it closes. An authorized (manual-capture)
 * charge waiting for its shipment is not overdue at the charge deadline, only past the time it should
 * have acted on its hold (its visibility store also takes OR, != and a Datetime comparison).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import {
  NO_PAYMENT_INTENT_AFTER_SECONDS,
  PAST_DEADLINE_GRACE_SECONDS,
  watchOverdueCharges,
} from '../../src/api/temporal/overdue-charges';
import { chargeWorkflowId, DEFAULT_CHARGE_TIMING } from '../../src/contracts/charge';
import { createMetrics } from '../../src/observability/metrics';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import {
  AuthorizationExpiresAtSearchAttribute,
  ChargeStatusSearchAttribute,
  PaymentIntentIdSearchAttribute,
} from '../../src/workflows/messages';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';

const DEADLINE = DEFAULT_CHARGE_TIMING.reconcile_deadline_seconds;

describe('overdue charges in Temporal', { timeout: 120_000 }, () => {
  let client: Client;
  // No worker polls this queue: the charge never gets a PaymentIntent and never ends by itself.
  const taskQueue = `overdue-${randomUUID()}`;
  const eventId = `evt-overdue-${randomUUID()}`;
  const authorizedId = `evt-overdue-held-${randomUUID()}`;
  /** When the authorized charge should act on its hold: six days from now. */
  const HOLD_ACT_SECONDS = 6 * 86_400;

  before(async () => {
    client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    await client.workflow.start<typeof ChargeWorkflow>('ChargeWorkflow', {
      taskQueue,
      workflowId: chargeWorkflowId(eventId),
      args: [
        {
          request: { event_id: eventId, order_id: `order-${eventId}`, amount: 1999, currency: 'usd' },
          payload_hash: 'overdue-test',
        },
      ],
    });
    // As an authorized charge shows itself in visibility (charge.ts sets these once authorized).
    await client.workflow.start<typeof ChargeWorkflow>('ChargeWorkflow', {
      taskQueue,
      workflowId: chargeWorkflowId(authorizedId),
      args: [
        {
          request: {
            event_id: authorizedId,
            order_id: `order-${authorizedId}`,
            amount: 1999,
            currency: 'usd',
            capture: 'manual',
          },
          payload_hash: 'overdue-test',
        },
      ],
      typedSearchAttributes: [
        { key: ChargeStatusSearchAttribute, value: 'authorized' },
        { key: PaymentIntentIdSearchAttribute, value: 'pi_overdue_held' },
        { key: AuthorizationExpiresAtSearchAttribute, value: new Date(Date.now() + HOLD_ACT_SECONDS * 1000) },
      ],
    });
  });
  after(async () => {
    for (const id of [eventId, authorizedId]) {
      await client?.workflow
        .getHandle(chargeWorkflowId(id))
        .terminate('test over')
        .catch(() => undefined);
    }
    await client?.connection.close();
  });

  /** The gauge as the gateway would show it with its clock `aheadSeconds` in the future. */
  async function overdueAt(aheadSeconds: number): Promise<Record<string, number>> {
    const metrics = createMetrics();
    const refresh = watchOverdueCharges({
      connection: client.connection,
      namespace: stack.temporalNamespace,
      taskQueue,
      deadlineSeconds: DEADLINE,
      metrics,
      onError: (err) => {
        throw err;
      },
      now: () => Date.now() + aheadSeconds * 1000,
    });
    await refresh();
    const { values } = await metrics.chargesOverdue.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
  }

  it('counts nothing while the charge is young', async () => {
    assert.deepEqual(await overdueAt(0), { no_payment_intent: 0, past_deadline: 0 });
  });

  it('counts it without a PaymentIntent after 15 minutes, and past its deadline after the deadline and an hour', async () => {
    await waitUntil(
      async () => (await overdueAt(NO_PAYMENT_INTENT_AFTER_SECONDS + 60)).no_payment_intent === 1,
      'the charge counted as without a PaymentIntent (visibility is eventually consistent)',
    );
    assert.deepEqual(await overdueAt(NO_PAYMENT_INTENT_AFTER_SECONDS + 60), {
      no_payment_intent: 1,
      past_deadline: 0,
    });
    assert.deepEqual(await overdueAt(DEADLINE + PAST_DEADLINE_GRACE_SECONDS + 60), {
      no_payment_intent: 1,
      past_deadline: 1,
    });
  });

  it('counts an authorized charge only past the time it should have acted on its hold, not at the charge deadline', async () => {
    await waitUntil(
      async () => (await overdueAt(HOLD_ACT_SECONDS + PAST_DEADLINE_GRACE_SECONDS + 60)).past_deadline === 2,
      'the authorized charge counted past its hold',
    );
    assert.equal((await overdueAt(DEADLINE + PAST_DEADLINE_GRACE_SECONDS + 60)).past_deadline, 1);
    assert.equal((await overdueAt(HOLD_ACT_SECONDS + PAST_DEADLINE_GRACE_SECONDS - 60)).past_deadline, 1);
  });

  it('stops counting it once it is closed', async () => {
    await client.workflow.getHandle(chargeWorkflowId(eventId)).terminate('test over');
    await waitUntil(
      async () => (await overdueAt(DEADLINE + PAST_DEADLINE_GRACE_SECONDS + 60)).past_deadline === 0,
      'the closed charge no longer counted',
    );
  });
});
