/**
 * RefundsWorkflow while Stripe has not finished a refund: its outcome comes by webhook, and only one
 * about the refund's own money is believed; once the window has closed no new refund is taken, even
 * though the workflow is still open, while a repeat of a known refund is answered.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import { REFUND_WINDOW_CLOSED } from '../../src/contracts/refund';
import { startRefundsEnv, succeededCharge as chargeToRefund, type RefundsEnv } from '../support/refunds-env';

const WINDOW_SECONDS = 3600;

describe('RefundsWorkflow with a refund pending at Stripe', { timeout: 120_000 }, () => {
  let kit: RefundsEnv;
  let env: TestWorkflowEnvironment;
  let charges: ChargeWorkflows;

  before(async () => {
    kit = await startRefundsEnv('refund-window', {
      // Stripe keeps every refund pending: the workflow stays open past its window.
      createRefund: async (input) => ({
        stripe_refund_id: `re_${input.refund_id}`,
        status: 'pending',
        failure: null,
      }),
      publishRefundEvent: async (event) => ({ topic: 'payments.refunded', message_id: event.refund_id }),
    });
    ({ env, charges } = kit);
  });
  after(() => kit?.stop());

  const succeededCharge = (id: string): ChargeRecord =>
    chargeToRefund('window', { event_id: `evt-window-${id}`, order_id: `order-window-${id}` });

  it("believes a refund webhook only for the refund's own amount and currency", async () => {
    const id = randomUUID();
    const charge = succeededCharge(id);
    const request = { refund_id: `r-${id}`, amount: 2500 };
    assert.equal((await charges.refund({ charge, window_seconds: WINDOW_SECONDS }, request)).kind, 'ok');
    const outcome = (stripe_event_id: string, money: { amount: number; currency: string }) =>
      charges.signalRefundEvent(charge.event_id, {
        stripe_event_id,
        refund_id: request.refund_id,
        stripe_refund_id: `re_${request.refund_id}`,
        status: 'succeeded',
        failure: null,
        ...money,
      });
    await outcome('evt_amount', { amount: 9999, currency: 'eur' });
    await outcome('evt_currency', { amount: 2500, currency: 'usd' });
    const state = await charges.getRefunds(charge.event_id);
    assert.equal(state?.refunds[0]?.status, 'pending', 'other money: not believed');
    await outcome('evt_right', { amount: 2500, currency: 'eur' });
    const after = await charges.getRefunds(charge.event_id);
    assert.equal(after?.refunds[0]?.status, 'succeeded');
    assert.equal(after?.refunded_amount, 2500);
  });

  it('refuses a new refund once the window has closed, and still answers a repeat', async () => {
    const id = randomUUID();
    const input = { charge: succeededCharge(id), window_seconds: WINDOW_SECONDS };
    const first = { refund_id: `r1-${id}`, amount: 1000 };
    assert.equal((await charges.refund(input, first)).kind, 'ok');

    await env.sleep(`${WINDOW_SECONDS + 60} seconds`);

    const late = await charges.refund(input, { refund_id: `r2-${id}`, amount: 1000 });
    assert.deepEqual(late.kind === 'rejected' && late.type, REFUND_WINDOW_CLOSED, JSON.stringify(late));
    const repeat = await charges.refund(input, first);
    assert.equal(repeat.kind === 'ok' && repeat.value.duplicate, true, JSON.stringify(repeat));
  });
});
