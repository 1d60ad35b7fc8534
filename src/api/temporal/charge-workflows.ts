import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type QueryDefinition,
} from '@temporalio/common';
import {
  chargeWorkflowId,
  type ChargeRecord,
  type ChargeStatus,
  type ChargeWorkflowInput,
} from '../../contracts/charge';
import { formatAmount } from '../../contracts/currency';
import {
  refundsWorkflowId,
  type RefundAnswer,
  type RefundRequest,
  type RefundsWorkflowInput,
} from '../../contracts/refund';
import {
  AmountMinorSearchAttribute,
  ChargeStatusSearchAttribute,
  CurrencySearchAttribute,
  EventIdSearchAttribute,
  OrderIdSearchAttribute,
  RefundedMinorSearchAttribute,
  cancelChargeUpdate,
  chargeStateQuery,
  refundEventSignal,
  refundsQuery,
  refundUpdate,
  stripeEventSignal,
  type RefundsState,
} from '../../workflows/messages';
import type { RefundEventPayload, PaymentEventPayload } from '../../contracts/payment-provider';
import { ChargeWorkflow } from '../../workflows/charge';
import { RefundsWorkflow } from '../../workflows/refunds';
import { createSharedReads } from './shared-reads';

/** Temporal could not be reached: callers answer 503 and the sender retries later. */
export class TemporalUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Temporal is unavailable', { cause });
    this.name = 'TemporalUnavailableError';
  }
}

export type StartResult =
  | { readonly kind: 'started'; readonly workflowId: string; readonly runId: string }
  | { readonly kind: 'exists'; readonly workflowId: string };

export interface ExistingCharge {
  readonly workflowId: string;
  readonly runId: string;
  readonly payloadHash: string | undefined;
  readonly status: ChargeStatus;
}

/** The API's whole view of Temporal; API tests hand in a typed fake of this interface. */
export interface ChargeWorkflows {
  start(input: ChargeWorkflowInput): Promise<StartResult>;
  describe(eventId: string): Promise<ExistingCharge | undefined>;
  getState(eventId: string): Promise<ChargeRecord | undefined>;
  /** 'not_running' when no open charge has that id (finished, or never ours). */
  signalStripeEvent(eventId: string, payload: PaymentEventPayload): Promise<'signalled' | 'not_running'>;
  /** Asks an open charge to cancel; `closed` when its workflow has already ended. */
  cancel(eventId: string): Promise<UpdateOutcome<ChargeRecord> | { readonly kind: 'closed' }>;
  /** Delivers a refund to the charge's refunds workflow, starting it with the first refund. */
  refund(
    input: RefundsWorkflowInput,
    request: RefundRequest,
  ): Promise<UpdateOutcome<RefundAnswer> | { readonly kind: 'window_closed' }>;
  getRefunds(eventId: string): Promise<RefundsState | undefined>;
  signalRefundEvent(eventId: string, payload: RefundEventPayload): Promise<'signalled' | 'not_running'>;
}

/** An update's answer, or its validator's typed refusal (the gateway maps the type to a status). */
export type UpdateOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'rejected'; readonly type: string; readonly message: string };

function rejectionOf(err: unknown): { kind: 'rejected'; type: string; message: string } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure))
    return undefined;
  return { kind: 'rejected', type: err.cause.type ?? 'UpdateRejected', message: err.cause.message };
}

/** The error and its causes, outermost first (bounded: a cause chain can be long or circular). */
function errorChain(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}

/** An update sent to a workflow that has ended is refused with NOT_FOUND or FAILED_PRECONDITION. */
function isClosedWorkflow(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return errorChain(err).some((e) =>
    /already completed|workflow execution.*(closed|completed)/i.test(e.message),
  );
}

/** The gRPC status code behind an error, from the first gRPC error in its cause chain. */
export function grpcCodeOf(err: unknown): number | undefined {
  return errorChain(err).find(isGrpcServiceError)?.code;
}

/** Codes Temporal answers while it is (briefly) unable to serve: the caller should retry later. */
const UNAVAILABLE_CODES: readonly number[] = [
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  // A call cut off by a server restart or a lost connection.
  GrpcStatus.CANCELLED,
  // A rate limit or a full per-workflow buffer (queries, updates): it frees within moments.
  GrpcStatus.RESOURCE_EXHAUSTED,
];

export function isTemporalUnavailable(err: unknown): boolean {
  const code = grpcCodeOf(err);
  return code !== undefined && UNAVAILABLE_CODES.includes(code);
}

/**
 * A query needs a worker to answer it: with none polling (a worker restart, a rollout) the server
 * refuses with FAILED_PRECONDITION. That is the service being unavailable, not a caller's error.
 */
function isQueryUnanswerable(err: unknown): boolean {
  return grpcCodeOf(err) === GrpcStatus.FAILED_PRECONDITION;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A query refused because the workflow's query buffer is full is asked again after a short, jittered
 * pause, within the call's own deadline: the buffer frees as soon as the workflow task in flight
 * ends (milliseconds). A read is safe to repeat; past the deadline the refusal becomes a 503.
 */
async function queryPatiently<T>(query: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await query();
    } catch (err) {
      const pause = Math.min(400, 10 * 2 ** attempt) * (0.5 + Math.random());
      if (grpcCodeOf(err) !== GrpcStatus.RESOURCE_EXHAUSTED || Date.now() + pause >= deadline) throw err;
      await sleep(pause);
    }
  }
}

/**
 * The client retries UNAVAILABLE by itself for up to ~20 s; a caller (the dispatcher, Stripe) is
 * better served by a prompt 503 and its own retry, so every call gets a deadline.
 */
export const TEMPORAL_CALL_DEADLINE_MS = 5_000;

export function createChargeWorkflows(client: Client, taskQueue: string): ChargeWorkflows {
  const guard = async <T>(call: (deadline: number) => Promise<T>): Promise<T> => {
    const deadline = Date.now() + TEMPORAL_CALL_DEADLINE_MS;
    try {
      return await client.connection.withDeadline(deadline, () => call(deadline));
    } catch (err) {
      if (isTemporalUnavailable(err)) throw new TemporalUnavailableError(err);
      throw err;
    }
  };
  /** A workflow's state by query; undefined when no such workflow exists (or it was deleted). */
  const read = async <T>(workflowId: string, query: QueryDefinition<T>, deadline: number) => {
    try {
      const handle = client.workflow.getHandle(workflowId);
      return await queryPatiently(() => handle.query(query), deadline);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      if (isQueryUnanswerable(err)) throw new TemporalUnavailableError(err);
      throw err;
    }
  };
  const chargeReads = createSharedReads<ChargeRecord | undefined>();
  const refundReads = createSharedReads<RefundsState | undefined>();
  return {
    start: (input) =>
      guard(async () => {
        const { request } = input;
        const workflowId = chargeWorkflowId(request.event_id);
        try {
          const handle = await client.workflow.start(ChargeWorkflow, {
            workflowId,
            taskQueue,
            args: [input],
            // One workflow per event_id, ever: REJECT_DUPLICATE refuses a new run after any closed
            // one (even a failed charge must not silently charge again), and FAIL refuses a second
            // concurrent run. Both surface as WorkflowExecutionAlreadyStartedError, which the API
            // turns into "duplicate" or "conflict" by comparing payload hashes.
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
            memo: { payload_hash: input.payload_hash },
            typedSearchAttributes: [
              { key: OrderIdSearchAttribute, value: request.order_id },
              { key: EventIdSearchAttribute, value: request.event_id },
              { key: ChargeStatusSearchAttribute, value: 'pending' },
              { key: AmountMinorSearchAttribute, value: request.amount },
              { key: CurrencySearchAttribute, value: request.currency },
            ],
            staticSummary: `Charge ${formatAmount(request.amount, request.currency)} for order ${request.order_id}`,
          });
          return { kind: 'started', workflowId, runId: handle.firstExecutionRunId };
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'exists', workflowId };
          throw err;
        }
      }),

    describe: (eventId) =>
      guard(async () => {
        const workflowId = chargeWorkflowId(eventId);
        try {
          const description = await client.workflow.getHandle(workflowId).describe();
          const hash = description.memo?.['payload_hash'];
          return {
            workflowId,
            runId: description.runId,
            payloadHash: typeof hash === 'string' ? hash : undefined,
            status: (description.typedSearchAttributes.get(ChargeStatusSearchAttribute) ??
              'pending') as ChargeStatus,
          };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        }
      }),

    getState: (eventId) =>
      chargeReads(eventId, () =>
        guard((deadline) => read(chargeWorkflowId(eventId), chargeStateQuery, deadline)),
      ),

    cancel: (eventId) =>
      guard(async () => {
        try {
          const value = await client.workflow
            .getHandle(chargeWorkflowId(eventId))
            .executeUpdate(cancelChargeUpdate);
          return { kind: 'ok', value };
        } catch (err) {
          const rejected = rejectionOf(err);
          if (rejected) return rejected;
          if (isClosedWorkflow(err)) return { kind: 'closed' };
          throw err;
        }
      }),

    refund: (input, request) =>
      guard(async () => {
        const { charge } = input;
        const startWorkflowOperation = new WithStartWorkflowOperation(RefundsWorkflow, {
          workflowId: refundsWorkflowId(charge.event_id),
          taskQueue,
          args: [input],
          // One refunds workflow per charge: join the open one; once its window has closed, refuse.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: OrderIdSearchAttribute, value: charge.order_id },
            { key: EventIdSearchAttribute, value: charge.event_id },
            { key: AmountMinorSearchAttribute, value: charge.amount },
            { key: CurrencySearchAttribute, value: charge.currency },
            { key: RefundedMinorSearchAttribute, value: 0 },
          ],
          staticSummary: `Refunds of ${formatAmount(charge.amount, charge.currency)} for order ${charge.order_id}`,
        });
        try {
          const value = await client.workflow.executeUpdateWithStart(refundUpdate, {
            args: [request],
            startWorkflowOperation,
          });
          return { kind: 'ok', value };
        } catch (err) {
          const rejected = rejectionOf(err);
          if (rejected) return rejected;
          if (err instanceof WorkflowExecutionAlreadyStartedError || isClosedWorkflow(err))
            return { kind: 'window_closed' };
          throw err;
        }
      }),

    getRefunds: (eventId) =>
      refundReads(eventId, () =>
        guard((deadline) => read(refundsWorkflowId(eventId), refundsQuery, deadline)),
      ),

    signalRefundEvent: (eventId, payload) =>
      guard(async () => {
        try {
          await client.workflow.getHandle(refundsWorkflowId(eventId)).signal(refundEventSignal, payload);
          return 'signalled';
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return 'not_running';
          throw err;
        }
      }),

    signalStripeEvent: (eventId, payload) =>
      guard(async () => {
        try {
          await client.workflow.getHandle(chargeWorkflowId(eventId)).signal(stripeEventSignal, payload);
          return 'signalled';
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return 'not_running';
          throw err;
        }
      }),
  };
}
