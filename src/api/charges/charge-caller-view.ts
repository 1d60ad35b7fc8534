/**
 * A charge as the API shows it: the workflow's record, plus what its status calls for. While the charge
 * waits for the customer (pending, requires_action, requires_payment_method) the record carries the
 * PaymentIntent's `client_secret` and `next_action` as the workflow holds them (encrypted in Temporal
 * by the payload codec), so answering asks Stripe nothing; once it succeeded, its refunds and disputes.
 * A final charge carries neither secret nor action.
 */
import type { Static } from '@sinclair/typebox';
import { awaitsCustomer, type ChargeRecord } from '../../contracts/charge';
import { ProviderUnavailableError } from '../../contracts/payment-provider';
import type { Metrics } from '../../observability/metrics';
import type { ChargeWorkflows } from '../temporal/charge-workflows';
import type { DisputeWorkflows } from '../temporal/dispute-workflows';
import type { chargeRecordSchema } from './schemas';

/** GET /charges/:event_id's answer, as its schema says (client_secret and next_action, refunds, disputes). */
export type ChargeView = Static<typeof chargeRecordSchema>;

/** How long a GET waits for a transitional client_secret read before answering 503 (it goes on). */
export const CLIENT_SECRET_READ_WAIT_MS = 4_000;
/** The Retry-After of that 503: the read is under way on the Stripe task queue. */
export const CLIENT_SECRET_RETRY_AFTER_SECONDS = 1;

/**
 * The record awaits the customer and has a PaymentIntent, but no client_secret: the workflow was
 * started before it kept the secret (see loadClientSecretUpdate).
 */
function lacksClientSecret(record: ChargeRecord): boolean {
  return awaitsCustomer(record.status) && record.payment_intent_id !== null && !('client_secret' in record);
}

export async function chargeView(
  record: ChargeRecord,
  deps: {
    readonly charges: Pick<ChargeWorkflows, 'getRefunds' | 'loadClientSecret'>;
    readonly disputes: Pick<DisputeWorkflows, 'listForCharge'>;
    readonly metrics: Pick<Metrics, 'clientSecretReads'>;
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
  if (!awaitsCustomer(record.status)) return withoutCustomerFields(record);
  if (!lacksClientSecret(record)) return record;
  // Transitional (a charge started before the workflow kept the secret): the workflow reads it once
  // through the rate-limited Stripe task queue, never this gateway; counted until none are left.
  const read = await deps.charges.loadClientSecret(record.event_id, CLIENT_SECRET_READ_WAIT_MS);
  if (read.kind === 'ready' && !lacksClientSecret(read.record)) {
    deps.metrics.clientSecretReads.inc({ outcome: 'read' });
    return read.record.status === 'succeeded' ? chargeView(read.record, deps) : read.record;
  }
  deps.metrics.clientSecretReads.inc({ outcome: 'not_yet' });
  throw new ProviderUnavailableError(
    `the client_secret of this charge is being read from Stripe (${read.kind === 'ready' ? 'Stripe did not answer' : read.reason}); retry`,
    CLIENT_SECRET_RETRY_AFTER_SECONDS,
  );
}

/** A record that does not await the customer never shows a secret, whatever a worker answered. */
function withoutCustomerFields(record: ChargeRecord): ChargeRecord {
  const { client_secret: _secret, next_action: _action, ...rest } = record;
  return rest;
}
