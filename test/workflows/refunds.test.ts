import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import {
  DEFAULT_REFUND_WINDOW_SECONDS,
  refundsWorkflowId,
  type RefundEventV1,
  type RefundRequest,
} from '../../src/contracts/refund';
import { startRefundsEnv, succeededCharge as chargeToRefund, type RefundsEnv } from '../support/refunds-env';

const succeededCharge = (overrides: Partial<ChargeRecord> = {}): ChargeRecord =>
  chargeToRefund('refund', overrides);

describe('RefundsWorkflow', { timeout: 120_000 }, () => {
  let kit: RefundsEnv;
  let env: TestWorkflowEnvironment;
  let charges: ChargeWorkflows;
  const creates: Array<{ refund_id: string; amount: number }> = [];
  const published: RefundEventV1[] = [];

  before(async () => {
    kit = await startRefundsEnv('refunds', {
      createRefund: async (input) => {
        creates.push({ refund_id: input.refund_id, amount: input.amount });
        if (input.refund_id.startsWith('unreachable-')) {
          throw ApplicationFailure.create({ type: 'StripeTransientError', message: 'Stripe is down' });
        }
        return { stripe_refund_id: `re_${input.refund_id}`, status: 'succeeded', failure: null };
      },
      findRefund: async () => null,
      publishRefundEvent: async (event) => {
        published.push(event);
        return { topic: 'payments.refunded', message_id: event.refund_id };
      },
    });
    ({ env, charges } = kit);
  });
  after(() => kit?.stop());

  const refund = (
    charge: ChargeRecord,
    request: RefundRequest,
    windowSeconds = DEFAULT_REFUND_WINDOW_SECONDS,
  ) => charges.refund({ charge, window_seconds: windowSeconds }, request);

  it('refunds the whole charge when no amount is given', async () => {
    const charge = succeededCharge();
    const outcome = await refund(charge, { refund_id: `r-${randomUUID()}`, reason: 'requested_by_customer' });
    assert.equal(outcome.kind, 'ok');
    assert.equal(outcome.kind === 'ok' && outcome.value.refund.amount, 10_000);
    assert.equal(outcome.kind === 'ok' && outcome.value.refund.status, 'succeeded');
    assert.equal((await charges.getRefunds(charge.event_id))?.refunded_amount, 10_000);
  });

  it("counts the refund window from the charge's success, not from the first refund", async () => {
    const charge = succeededCharge({ updated_at: new Date(Date.now() - 2 * 3600_000).toISOString() });
    const late = await refund(charge, { refund_id: `late-${randomUUID()}` }, 3600);
    assert.equal(late.kind === 'rejected' && late.type, 'RefundWindowClosed');
  });

  it('never leaves a refund pending: one Stripe never confirmed within its window ends failed and is published', async () => {
    const charge = succeededCharge();
    const refundId = `unreachable-${randomUUID()}`;
    // The caller's wait (5 s) ends long before Stripe's window; the refund goes on without it.
    await refund(charge, { refund_id: refundId, amount: 700 }).catch(() => undefined);
    await env.sleep('24 hours');
    const state = await charges.getRefunds(charge.event_id);
    assert.equal(state?.refunds[0]?.status, 'failed', 'its amount is free again');
    assert.equal(state?.refunds[0]?.failure?.code, 'refund_not_made');
    assert.ok(
      published.some((e) => e.refund_id === refundId && e.status === 'failed'),
      'and the platform hears it',
    );
  });

  it('adds up two partial refunds, and rejects a third over the remainder', async () => {
    const charge = succeededCharge();
    assert.equal((await refund(charge, { refund_id: `a-${randomUUID()}`, amount: 6_000 })).kind, 'ok');
    assert.equal((await refund(charge, { refund_id: `b-${randomUUID()}`, amount: 4_000 })).kind, 'ok');
    const third = await refund(charge, { refund_id: `c-${randomUUID()}`, amount: 1 });
    assert.deepEqual(third.kind === 'rejected' && third.type, 'RefundExceedsRemainder');
    assert.equal((await charges.getRefunds(charge.event_id))?.refunded_amount, 10_000);
  });

  it('returns the same refund for a repeated refund_id, and refuses the same id with another body', async () => {
    const charge = succeededCharge();
    const refundId = `dup-${randomUUID()}`;
    const first = await refund(charge, { refund_id: refundId, amount: 500 });
    const again = await refund(charge, { refund_id: refundId, amount: 500 });
    assert.equal(again.kind === 'ok' && again.value.duplicate, true);
    assert.deepEqual(again.kind === 'ok' && again.value.refund, first.kind === 'ok' && first.value.refund);
    assert.equal(creates.filter((c) => c.refund_id === refundId).length, 1, 'one refund at Stripe');
    const changed = await refund(charge, { refund_id: refundId, amount: 600 });
    assert.equal(changed.kind === 'rejected' && changed.type, 'RefundIdConflict');
  });

  it('answers 10 concurrent identical requests with one refund', async () => {
    const charge = succeededCharge();
    const refundId = `many-${randomUUID()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => refund(charge, { refund_id: refundId })),
    );
    assert.ok(outcomes.every((o) => o.kind === 'ok'));
    assert.equal(outcomes.filter((o) => o.kind === 'ok' && !o.value.duplicate).length, 1);
    assert.equal(creates.filter((c) => c.refund_id === refundId).length, 1);
  });

  it('refuses to refund a charge that has not succeeded', async () => {
    const outcome = await refund(succeededCharge({ status: 'failed' }), { refund_id: `f-${randomUUID()}` });
    assert.equal(outcome.kind === 'rejected' && outcome.type, 'ChargeNotRefundable');
  });

  it('publishes payments.refunded once per succeeded refund, counted when the refund window has closed', async () => {
    // Succeeded now on the server's clock (an earlier test skipped it a day ahead).
    const charge = succeededCharge({ updated_at: new Date(await env.currentTimeMs()).toISOString() });
    const refundId = `pub-${randomUUID()}`;
    const windowSeconds = 60;
    assert.equal((await refund(charge, { refund_id: refundId, amount: 100 }, windowSeconds)).kind, 'ok');
    assert.equal((await refund(charge, { refund_id: refundId, amount: 100 }, windowSeconds)).kind, 'ok');
    // The workflow ends when its window closes (time skipped): every publish it will ever make is done.
    await env.client.workflow.getHandle(refundsWorkflowId(charge.event_id)).result();
    const mine = published.filter((p) => p.event_id === charge.event_id);
    assert.deepEqual(
      mine.map((p) => ({ refund_id: p.refund_id, status: p.status, amount: p.amount })),
      [{ refund_id: refundId, status: 'succeeded', amount: 100 }],
    );
  });
});
