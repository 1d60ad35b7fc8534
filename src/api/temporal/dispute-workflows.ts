/**
 * The API's port to the dispute workflows: the webhook receiver hands each verified dispute event to
 * `dispute-<dp id>` (starting it with the first), and the gateway lists a charge's disputes.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { formatAmount } from '../../contracts/currency';
import {
  disputeWorkflowId,
  type DisputeRecord,
  type DisputeTiming,
  type DisputeWorkflowInput,
} from '../../contracts/dispute';
import type { DisputeEventPayload } from '../../contracts/payment-provider';
import { DisputeWorkflow } from '../../workflows/dispute';
import {
  PaymentIntentIdSearchAttribute,
  disputeEventSignal,
  disputeStateQuery,
} from '../../workflows/messages';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  TEMPORAL_CALL_DEADLINE_MS,
  TemporalUnavailableError,
  grpcCodeOf,
  isTemporalUnavailable,
} from './charge-workflows';
import { createSharedReads } from './shared-reads';

/** More than any real charge has; a bound on what one GET asks Temporal. */
export const MAX_DISPUTES_LISTED = 20;

export interface DisputeWorkflows {
  /**
   * Delivers a verified dispute event, starting the dispute's workflow with it if none runs (one
   * call: signal-with-start). Resolves once Temporal has durably taken it; `closed` when the
   * dispute's workflow has already ended (a late repeat), which is never started again.
   * Rejects with TemporalUnavailableError when Temporal cannot take it now (the sender retries).
   */
  deliver(payload: DisputeEventPayload): Promise<'accepted' | 'closed'>;
  /** The disputes of a charge, found by the EventId their workflows set once they knew the order. */
  listForCharge(eventId: string): Promise<DisputeRecord[]>;
}

/** A visibility query's string literal (event ids are restricted by the API, but never trust that here). */
const literal = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function disputesOfChargeQuery(eventId: string): string {
  return `WorkflowType = 'DisputeWorkflow' AND EventId = ${literal(eventId)}`;
}

export function createDisputeWorkflows(
  client: Client,
  taskQueue: string,
  timing: DisputeTiming,
): DisputeWorkflows {
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await client.connection.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, call);
    } catch (err) {
      // A query needs a worker: with none polling, the service is unavailable, not the caller wrong.
      if (isTemporalUnavailable(err) || grpcCodeOf(err) === GrpcStatus.FAILED_PRECONDITION)
        throw new TemporalUnavailableError(err);
      throw err;
    }
  };
  // A storefront polling a succeeded charge must not become a burst of visibility lists and queries.
  const listReads = createSharedReads<DisputeRecord[]>();
  return {
    deliver: (payload) =>
      guard(async () => {
        const input: DisputeWorkflowInput = {
          dispute_id: payload.dispute_id,
          payment_intent_id: payload.payment_intent_id,
          charge_id: payload.charge_id,
          timing,
        };
        try {
          await client.workflow.signalWithStart(DisputeWorkflow, {
            workflowId: disputeWorkflowId(payload.dispute_id),
            taskQueue,
            args: [input],
            signal: disputeEventSignal,
            signalArgs: [payload],
            // A dispute's workflow runs once: an event after it has ended (within retention) is
            // refused, never the start of a second one that would announce the dispute again.
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            typedSearchAttributes: payload.payment_intent_id
              ? [{ key: PaymentIntentIdSearchAttribute, value: payload.payment_intent_id }]
              : [],
            staticSummary: `Dispute ${payload.dispute_id}: ${formatAmount(payload.amount, payload.currency)} (${payload.reason ?? 'no reason'}) on ${payload.payment_intent_id ?? 'no PaymentIntent'}`,
          });
          return 'accepted';
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return 'closed';
          throw err;
        }
      }),

    listForCharge: (eventId) =>
      listReads(eventId, () =>
        guard(async () => {
          const ids: string[] = [];
          for await (const execution of client.workflow.list({
            query: disputesOfChargeQuery(eventId),
            pageSize: MAX_DISPUTES_LISTED,
          })) {
            ids.push(execution.workflowId);
            if (ids.length >= MAX_DISPUTES_LISTED) break;
          }
          const records = await Promise.all(
            ids.map(async (id) => {
              try {
                return await client.workflow.getHandle(id).query(disputeStateQuery);
              } catch (err) {
                // Deleted between the list and the query (retention): not a dispute to show.
                if (err instanceof WorkflowNotFoundError) return undefined;
                throw err;
              }
            }),
          );
          return records.filter((r): r is DisputeRecord => r !== undefined);
        }),
      ),
  };
}
