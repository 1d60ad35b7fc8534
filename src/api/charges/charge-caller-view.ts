/**
 * A charge as the API shows it: the workflow's record, plus what its status calls for. While the charge
 * waits for the customer (pending, requires_action) that is the PaymentIntent's `client_secret` and
 * `next_action`, read from the provider at this moment (never from Temporal, which never holds them);
 * once it succeeded, its refunds and its disputes. A final charge carries neither secret nor action.
 */
import type { Static } from '@sinclair/typebox';
import { awaitsCustomer, type ChargeRecord } from '../../contracts/charge';
import type { PaymentIntentViews } from '../../contracts/payment-provider';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import type { DisputeWorkflows } from '../temporal/dispute-workflows';
import type { chargeRecordSchema } from './schemas';

/** GET /charges/:event_id's answer, as its schema says (client_secret and next_action, refunds, disputes). */
export type ChargeView = Static<typeof chargeRecordSchema>;

export async function chargeView(
  record: ChargeRecord,
  deps: {
    readonly charges: Pick<ChargeWorkflows, 'getRefunds'>;
    readonly customerViews: PaymentIntentViews;
    readonly disputes: Pick<DisputeWorkflows, 'listForCharge'>;
  },
): Promise<ChargeView> {
  if (record.status === 'succeeded') {
    const [refunds, disputes] = await Promise.all([
      deps.charges.getRefunds(record.event_id),
      deps.disputes.listForCharge(record.event_id),
    ]);
    return {
      ...record,
      refunds: [...(refunds?.refunds ?? [])],
      refunded_amount: refunds?.refunded_amount ?? 0,
      disputes: [...disputes],
    };
  }
  if (!awaitsCustomer(record.status)) return record;
  if (record.payment_intent_id === null) return { ...record, client_secret: null, next_action: null };
  const view = await deps.customerViews.customerView(record.payment_intent_id, record.status);
  return { ...record, client_secret: view.client_secret, next_action: view.next_action };
}
