/**
 * Concurrent refunds of one charge with different refund_ids never spend the same remainder: however
 * the requests interleave (all at once, or one arriving while another's Stripe call is still in
 * flight), the refunds sent to Stripe never add up to more than the charge, and each refused one is
 * refused as over the remainder, before it reaches Stripe.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ChargeWorkflows, RefundOutcome } from '../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../src/contracts/charge';
import {
  DEFAULT_REFUND_WINDOW_SECONDS,
  REFUND_EXCEEDS_REMAINDER,
  type RefundRequest,
} from '../../src/contracts/refund';
import { waitUntil } from '../support/wait';
import { startRefundsEnv, succeededCharge as chargeToRefund, type RefundsEnv } from '../support/refunds-env';

const CHARGED = 10_000;

const succeededCharge = (): ChargeRecord => chargeToRefund('concurrent', { amount: CHARGED });

type Outcome = RefundOutcome;

describe('RefundsWorkflow under concurrent refunds with different refund_ids', { timeout: 120_000 }, () => {
  let kit: RefundsEnv;
  let charges: ChargeWorkflows;
  /** Every refund Stripe was asked to create, per charge. */
  const created = new Map<string, Array<{ refund_id: string; amount: number }>>();
  /** Refund ids whose Stripe call is held open until the test releases it. */
  const held = new Map<string, () => void>();
  const holding = new Map<string, Promise<void>>();

  before(async () => {
    kit = await startRefundsEnv('refunds-concurrent', {
      createRefund: async (input) => {
        const list = created.get(input.event_id) ?? [];
        created.set(input.event_id, list);
        list.push({ refund_id: input.refund_id, amount: input.amount });
        await holding.get(input.refund_id);
        return { stripe_refund_id: `re_${input.refund_id}`, status: 'succeeded', failure: null };
      },
      publishRefundEvent: async (event) => ({ topic: 'payments.refunded', message_id: event.refund_id }),
      // A charge whose workflow is gone: Stripe has it, succeeded, for the same 10,000.
      findPaymentIntentByEventId: async (input) => ({
        id: `pi_${input.event_id}`,
        status: 'succeeded',
        failure: null,
        amount: CHARGED,
        currency: 'eur',
        created: Math.floor(Date.now() / 1000),
        metadata: { event_id: input.event_id, order_id: `order-${input.event_id}` },
      }),
    });
    ({ charges } = kit);
  });
  after(async () => {
    for (const release of held.values()) release();
    await kit?.stop();
  });

  const refund = (charge: ChargeRecord, request: RefundRequest): Promise<Outcome> =>
    charges.refund({ charge, window_seconds: DEFAULT_REFUND_WINDOW_SECONDS }, request);

  /** The refund's Stripe call will wait for `release()`. */
  const hold = (refundId: string): (() => void) => {
    let release: () => void = () => undefined;
    holding.set(
      refundId,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    held.set(refundId, release);
    return release;
  };

  const sentToStripe = (charge: ChargeRecord) => created.get(charge.event_id) ?? [];
  const total = (refunds: ReadonlyArray<{ amount: number }>) => refunds.reduce((sum, r) => sum + r.amount, 0);

  function assertOverRemainder(outcome: Outcome, what: string): void {
    assert.equal(outcome.kind, 'rejected', `${what}: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.kind === 'rejected' && outcome.type, REFUND_EXCEEDS_REMAINDER, what);
  }

  it('takes exactly one of two simultaneous 6,000 refunds of a 10,000 charge', async () => {
    const charge = succeededCharge();
    const outcomes = await Promise.all(
      ['a', 'b'].map((name) => refund(charge, { refund_id: `${name}-${randomUUID()}`, amount: 6_000 })),
    );
    const taken = outcomes.filter((o) => o.kind === 'ok');
    assert.equal(taken.length, 1, JSON.stringify(outcomes));
    assertOverRemainder(
      outcomes.find((o) => o.kind !== 'ok')!,
      'the other one',
    );
    assert.deepEqual(
      sentToStripe(charge).map((r) => r.amount),
      [6_000],
    );
    assert.equal((await charges.getRefunds(charge.event_id))?.refunded_amount, 6_000);
  });

  it('takes exactly one of two simultaneous 6,000 refunds of a charge whose workflow is gone (decided after the look-up at Stripe)', async () => {
    const eventId = `evt-concurrent-gone-${randomUUID()}`;
    const outcomes = await Promise.all(
      ['a', 'b'].map((name) =>
        charges.refund(
          { charge: null, event_id: eventId, window_seconds: DEFAULT_REFUND_WINDOW_SECONDS },
          { refund_id: `${name}-${randomUUID()}`, amount: 6_000 },
        ),
      ),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'ok').length, 1, JSON.stringify(outcomes));
    assertOverRemainder(
      outcomes.find((o) => o.kind !== 'ok')!,
      'the other one',
    );
    assert.deepEqual(
      (created.get(eventId) ?? []).map((r) => r.amount),
      [6_000],
    );
  });

  it('takes exactly one of two simultaneous full refunds (no amount: the remainder)', async () => {
    const charge = succeededCharge();
    const outcomes = await Promise.all(
      ['a', 'b'].map((name) => refund(charge, { refund_id: `${name}-${randomUUID()}` })),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'ok').length, 1, JSON.stringify(outcomes));
    assert.equal(total(sentToStripe(charge)), CHARGED);
  });

  it('never sends more than the charge to Stripe for 8 simultaneous 3,000 refunds: three taken, five refused', async () => {
    const charge = succeededCharge();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        refund(charge, { refund_id: `r${i}-${randomUUID()}`, amount: 3_000 }),
      ),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'ok').length, 3, JSON.stringify(outcomes));
    for (const refused of outcomes.filter((o) => o.kind !== 'ok'))
      assertOverRemainder(refused, 'a refused one');
    assert.equal(total(sentToStripe(charge)), 9_000);
    assert.equal(
      new Set(sentToStripe(charge).map((r) => r.refund_id)).size,
      3,
      'each taken refund sent once',
    );
  });

  it('counts a refund whose Stripe call is still in flight: a second refund of the same remainder is refused', async () => {
    const charge = succeededCharge();
    const first = `first-${randomUUID()}`;
    const release = hold(first);
    const firstOutcome = refund(charge, { refund_id: first, amount: 7_000 });
    await waitUntil(
      async () => sentToStripe(charge).some((r) => r.refund_id === first) || undefined,
      'the first refund to be at Stripe',
    );

    const second = await refund(charge, { refund_id: `second-${randomUUID()}`, amount: 7_000 });
    assertOverRemainder(second, 'the second refund, while the first is in flight');
    const rest = await refund(charge, { refund_id: `rest-${randomUUID()}`, amount: 3_000 });
    assert.equal(rest.kind, 'ok', 'what is left beside the reserved 7,000 can still be refunded');

    release();
    const done = await firstOutcome;
    assert.equal(done.kind === 'ok' && done.value.refund.status, 'succeeded');
    assert.deepEqual(
      sentToStripe(charge)
        .map((r) => r.amount)
        .sort((x, y) => x - y),
      [3_000, 7_000],
    );
    assert.equal((await charges.getRefunds(charge.event_id))?.refunded_amount, CHARGED);
  });
});
