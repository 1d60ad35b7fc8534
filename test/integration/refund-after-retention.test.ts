/**
 * Refunds for the whole refund window, also once the namespace's retention has removed the charge's
 * workflow, on the real stack with the Stripe stand-in (tools/stripe-standin, a test tool) keeping the
 * PaymentIntents: the ChargeWorkflow of a succeeded charge is deleted (as retention does), and a
 * refund is then asked. The refunds workflow finds the PaymentIntent at Stripe by our metadata; the
 * refund is made there for the right amount, announced on payments.refunded, and a repeat answers the
 * same refund. An event_id Stripe never saw answers 404.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import type { RefundRecord } from '../../src/contracts/refund';
import { localDataConverter } from '../support/codec';
import { readRecordsFor } from '../support/kafka-reader';
import { AUTH_HEADER } from '../support/service';
import { stack } from '../support/stack';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

interface RefundAnswerBody {
  readonly event_id: string;
  readonly refund: RefundRecord;
  readonly duplicate: boolean;
}

describe(
  'refunds after the charge workflow is gone (real stack, Stripe stand-in)',
  { timeout: 240_000 },
  () => {
    const suite = standinServiceForSuite({ standin: { webhooks: { retry_base_ms: 300 } } });
    let connection: Connection;
    let temporal: Client;
    before(async () => {
      connection = await Connection.connect({ address: stack.temporalAddress });
      temporal = new Client({ connection, dataConverter: localDataConverter() });
    });
    after(async () => {
      await connection?.close();
    });

    const post = (path: string, body: object) =>
      fetch(`${suite.service.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADER },
        body: JSON.stringify(body),
      });
    const read = async (eventId: string) =>
      fetch(`${suite.service.url}/charges/${eventId}`, { headers: AUTH_HEADER });

    /** Its workflow ended succeeded, then deleted as the namespace's retention would (weeks later). */
    async function succeededThenForgotten(eventId: string): Promise<void> {
      const handle = temporal.workflow.getHandle(chargeWorkflowId(eventId));
      await waitUntil(
        async () => (await handle.describe()).status.name === 'COMPLETED',
        `the ChargeWorkflow of ${eventId} to complete`,
        60_000,
      );
      const record = (await handle.result()) as ChargeRecord;
      assert.equal(record.status, 'succeeded');
      await temporal.workflowService.deleteWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: chargeWorkflowId(eventId) },
      });
      // Deletion is asynchronous on the server: on a busy machine it takes a while.
      await waitUntil(
        async () => {
          try {
            await handle.describe();
            return false;
          } catch (err) {
            return err instanceof WorkflowNotFoundError;
          }
        },
        "the charge's workflow deleted",
        90_000,
      );
      assert.equal((await read(eventId)).status, 404, 'the gateway no longer knows the charge');
    }

    /**
     * Asks for the refund until it is answered, as a caller does: a 202 means it is held while
     * Stripe is asked, a 503 that it was not taken yet; either way the same request is sent again.
     */
    async function refundAnswered(
      eventId: string,
      body: object,
    ): Promise<{ status: number; body: RefundAnswerBody; asked: number }> {
      let asked = 0;
      const answered = await waitUntil(
        async () => {
          asked += 1;
          const res = await post(`/charges/${eventId}/refund`, body);
          if (res.status === 202 || res.status === 503) return undefined;
          return { status: res.status, body: (await res.json()) as RefundAnswerBody };
        },
        `the refund of ${eventId} to be answered`,
        60_000,
      );
      return { ...answered, asked };
    }

    /**
     * 201 when answered at once; a request first held or refused 503 (a loaded machine) may have been
     * taken by then, and its repeat answers 200 with the same refund.
     */
    function assertCreated(answer: { status: number; body: RefundAnswerBody; asked: number }): void {
      const expected = answer.asked === 1 ? [201] : [200, 201];
      assert.ok(expected.includes(answer.status), JSON.stringify(answer));
      assert.equal(answer.body.duplicate, answer.status === 200);
    }

    it('refunds a charge whose workflow is gone at Stripe, announces it, and answers a repeat with the same refund', async () => {
      const eventId = `evt-gone-${randomUUID()}`;
      const orderId = `order-${eventId}`;
      const created = await post('/charge', {
        event_id: eventId,
        order_id: orderId,
        amount: 4200,
        currency: 'eur',
        payment_method: 'pm_card_visa',
      });
      assert.equal(created.status, 202);
      await succeededThenForgotten(eventId);

      const refundId = `r-${randomUUID()}`;
      const first = await refundAnswered(eventId, { refund_id: refundId, amount: 1500 });
      assertCreated(first);
      assert.equal(first.body.refund.amount, 1500);
      assert.equal(first.body.refund.status, 'succeeded');
      assert.match(first.body.refund.stripe_refund_id ?? '', /^re_/);

      const [pi] = await suite.standin.control.paymentIntentsFor(eventId);
      assert.deepEqual(
        pi?.refunds.map((r) => [r.id, r.amount, r.metadata['refund_id']]),
        [[first.body.refund.stripe_refund_id, 1500, refundId]],
        'one refund at Stripe, for the amount asked',
      );

      const again = await post(`/charges/${eventId}/refund`, { refund_id: refundId, amount: 1500 });
      assert.equal(again.status, 200);
      const repeat = (await again.json()) as RefundAnswerBody;
      assert.equal(repeat.duplicate, true);
      assert.equal(repeat.refund.stripe_refund_id, first.body.refund.stripe_refund_id, 'the same refund');

      const over = await post(`/charges/${eventId}/refund`, {
        refund_id: `over-${randomUUID()}`,
        amount: 2701,
      });
      assert.equal(over.status, 422, 'the remainder is what Stripe took minus the refund');

      const announced = await waitUntil(async () => {
        const found = await readRecordsFor(['payments.refunded'], new Set([eventId]));
        return found.length > 0 ? found : undefined;
      }, `payments.refunded for ${eventId}`);
      assert.deepEqual(
        announced.map((r) => [
          r.key,
          r.value['refund_id'],
          r.value['amount'],
          r.value['currency'],
          r.value['status'],
        ]),
        [[orderId, refundId, 1500, 'eur', 'succeeded']],
      );
      assert.equal(
        (await suite.standin.control.paymentIntentsFor(eventId))[0]?.refunds.length,
        1,
        'still one Stripe refund for the refund_id',
      );
    });

    it('refunds what was captured of a manual-capture charge whose workflow is gone, not the hold', async () => {
      const eventId = `evt-gone-manual-${randomUUID()}`;
      const created = await post('/charge', {
        event_id: eventId,
        order_id: `order-${eventId}`,
        amount: 4200,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        capture: 'manual',
      });
      assert.equal(created.status, 202);
      await waitUntil(
        async () => ((await (await read(eventId)).json()) as ChargeRecord).status === 'authorized',
        `${eventId} to be authorized`,
        45_000,
      );
      assert.equal((await post(`/charges/${eventId}/capture`, { amount: 3000 })).status, 200);
      await succeededThenForgotten(eventId);

      const whole = await refundAnswered(eventId, { refund_id: `all-${randomUUID()}` });
      assertCreated(whole);
      assert.equal(whole.body.refund.amount, 3000);
      assert.equal((await suite.standin.control.paymentIntentsFor(eventId))[0]?.refunded_amount, 3000);
    });

    it('answers 404 for an event_id Stripe never saw', async () => {
      const eventId = `evt-never-${randomUUID()}`;
      const res = await waitUntil(
        async () => {
          const answer = await post(`/charges/${eventId}/refund`, { refund_id: `x-${randomUUID()}` });
          return answer.status === 202 || answer.status === 503 ? undefined : answer;
        },
        'the refund of an unknown charge to be answered',
        60_000,
      );
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: string }).error, 'not_found');
      assert.deepEqual(await suite.standin.control.paymentIntentsFor(eventId), []);
    });
  },
);
