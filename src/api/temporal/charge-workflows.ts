import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
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
  isTerminal,
  type CaptureRequest,
  type ChargeRecord,
  type ChargeStatus,
  type ChargeWorkflowInput,
} from '../../contracts/charge';
import { formatAmount } from '../../contracts/currency';
import {
  refundsInputEventId,
  type RefundAnswer,
  type RefundRequest,
  type RefundsWorkflowInput,
} from '../../contracts/refund';
import { chargeWorkflowId, refundsWorkflowId } from '../../contracts/workflow-ids';
import {
  AmountMinorSearchAttribute,
  ChargeStatusSearchAttribute,
  CurrencySearchAttribute,
  EventIdSearchAttribute,
  OrderIdSearchAttribute,
  RefundedMinorSearchAttribute,
  awaitPaymentIntentUpdate,
  cancelChargeUpdate,
  captureChargeUpdate,
  chargeStateQuery,
  loadClientSecretUpdate,
  refundEventSignal,
  refundsQuery,
  refundUpdate,
  stripeEventSignal,
  lateStripeEventSignal,
  type RefundsState,
} from '../../workflows/messages';
import {
  withoutCustomerAction,
  type PaymentEventPayload,
  type RefundEventPayload,
} from '../../contracts/payment-provider';
import { ChargeWorkflow } from '../../workflows/charge';
import { LateOutcomeWorkflow } from '../../workflows/late-outcome';
import {
  lateOutcomeWorkflowId,
  type LateOutcomeWorkflowInput,
  type LateSuccessPolicy,
} from '../../contracts/late-outcome';
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
  /** The start attempt that created it (memo), when it was started with an early answer. */
  readonly startAttempt?: string | undefined;
}

/**
 * Whether the charge's record came within the caller's wait: `ready` once its PaymentIntent exists
 * (or it ended without one); otherwise why not, for the log (the caller then gets the plain answer).
 */
export type EarlyAnswer =
  | { readonly kind: 'ready'; readonly record: ChargeRecord }
  | {
      readonly kind: 'not_ready';
      readonly reason: 'timeout' | 'unavailable' | 'no_worker' | 'busy' | 'update_refused' | 'closed';
    };

export type EarlyStartResult =
  | {
      readonly kind: 'started';
      readonly workflowId: string;
      readonly runId: string;
      readonly early: EarlyAnswer;
    }
  | { readonly kind: 'exists'; readonly workflowId: string };

/** The API's whole view of Temporal; API tests hand in a typed fake of this interface. */
export interface ChargeWorkflows {
  start(input: ChargeWorkflowInput): Promise<StartResult>;
  /**
   * Starts the charge and waits up to `waitMs` for its PaymentIntent, in one call (update-with-start).
   * A start refused because the event_id exists is `exists`, as for `start`.
   */
  startWithEarlyAnswer(input: ChargeWorkflowInput, waitMs: number): Promise<EarlyStartResult>;
  /** Waits up to `waitMs` for an existing charge's PaymentIntent (a repeated POST with a wait). */
  awaitPaymentIntent(eventId: string, waitMs: number): Promise<EarlyAnswer>;
  /**
   * Transitional: asks a charge started before the workflow kept the client_secret to read it (once,
   * on the rate-limited Stripe task queue) and answers its record with it; `not_ready` when that did
   * not finish within `waitMs` (the read goes on: a later GET finds it) or the worker refused the
   * update (an older worker, or a charge older still).
   */
  loadClientSecret(eventId: string, waitMs: number): Promise<EarlyAnswer>;
  describe(eventId: string): Promise<ExistingCharge | undefined>;
  getState(eventId: string): Promise<ChargeRecord | undefined>;
  /** 'not_running' when no open charge has that id (finished, or never ours). */
  signalStripeEvent(eventId: string, payload: PaymentEventPayload): Promise<'signalled' | 'not_running'>;
  /** Asks an open charge to cancel; `closed` when its workflow has already ended. */
  cancel(eventId: string): Promise<UpdateOutcome<ChargeRecord> | { readonly kind: 'closed' }>;
  /**
   * Captures an authorized charge (all or part of its hold); `closed` when its workflow has ended.
   * A capture that outlives the call deadline goes on in the workflow: the caller's retry (after the
   * 503) joins it and gets its answer.
   */
  capture(
    eventId: string,
    request: CaptureRequest,
  ): Promise<UpdateOutcome<ChargeRecord> | { readonly kind: 'closed' }>;
  /**
   * Delivers a refund to the charge's refunds workflow, starting it with the first refund. Without
   * a record (`charge: null`: the ChargeWorkflow is no longer retained) the workflow looks the charge
   * up at Stripe first; `held` when it has durably accepted the request but not answered it in time.
   */
  refund(input: RefundsWorkflowInput, request: RefundRequest): Promise<RefundOutcome>;
  getRefunds(eventId: string): Promise<RefundsState | undefined>;
  signalRefundEvent(eventId: string, payload: RefundEventPayload): Promise<'signalled' | 'not_running'>;
  /**
   * Hands a verified event about a closed charge to its late-outcome handling when it contradicts
   * what the platform was told (money taken after failed/canceled). `started` once the handling is
   * durably started or signalled; `agrees` when the announcement already says what Stripe says.
   */
  handOverLateEvent(
    eventId: string,
    orderId: string | undefined,
    payload: PaymentEventPayload,
    policy: LateSuccessPolicy,
  ): Promise<'started' | 'agrees'>;
}

/**
 * A refund request's outcome: its answer or typed refusal; `window_closed` when the charge's refunds
 * workflow has ended with its window; `held` when the request is durably accepted and waits for
 * Stripe (only for a charge whose workflow is gone: the look-up comes first).
 */
export type RefundOutcome =
  UpdateOutcome<RefundAnswer> | { readonly kind: 'window_closed' } | { readonly kind: 'held' };

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

/**
 * With a wait (`Prefer: wait=N`, up to 10 s) the update-with-start may take the caller's whole wait
 * when Temporal answers, but it is cut this long before the call deadline so that a describe can still
 * tell, within TEMPORAL_CALL_DEADLINE_MS, whether the charge was started: a Temporal that does not
 * answer at all gets the same prompt 503 as a plain POST.
 */
export const START_DESCRIBE_RESERVE_MS = 1_000;

/**
 * How a charge is started, whichever call starts it. One workflow per event_id, ever:
 * REJECT_DUPLICATE refuses a new run after any closed one (even a failed charge must not silently
 * charge again), and FAIL refuses a second concurrent run. Both surface as
 * WorkflowExecutionAlreadyStartedError, which the API turns into "duplicate" or "conflict" by
 * comparing payload hashes.
 */
function chargeStartOptions(
  input: ChargeWorkflowInput,
  taskQueue: string,
  memo: Record<string, string> = {},
) {
  const { request } = input;
  return {
    workflowId: chargeWorkflowId(request.event_id),
    taskQueue,
    args: [input] as [ChargeWorkflowInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    memo: { payload_hash: input.payload_hash, ...memo },
    typedSearchAttributes: [
      { key: OrderIdSearchAttribute, value: request.order_id },
      { key: EventIdSearchAttribute, value: request.event_id },
      { key: ChargeStatusSearchAttribute, value: 'pending' },
      { key: AmountMinorSearchAttribute, value: request.amount },
      { key: CurrencySearchAttribute, value: request.currency },
    ],
    staticSummary: `Charge ${formatAmount(request.amount, request.currency)} for order ${request.order_id}`,
  };
}

/**
 * Why a wait for the PaymentIntent ended without it: the wait ran out (the deadline cut the call:
 * DEADLINE_EXCEEDED or CANCELLED), the connection failed, no worker answered a query, the workflow's
 * update buffer was full, or the worker refused the update (an older worker without the handler,
 * mid-rollout). The wait is a preference: none of these fails the caller's request by itself.
 */
function notReadyReason(err: unknown): Extract<EarlyAnswer, { kind: 'not_ready' }>['reason'] | undefined {
  if (err instanceof WorkflowUpdateFailedError) return 'update_refused';
  const code = grpcCodeOf(err);
  if (code === GrpcStatus.DEADLINE_EXCEEDED || code === GrpcStatus.CANCELLED) return 'timeout';
  if (code === GrpcStatus.UNAVAILABLE) return 'unavailable';
  if (code === GrpcStatus.FAILED_PRECONDITION) return 'no_worker';
  if (code === GrpcStatus.RESOURCE_EXHAUSTED) return 'busy';
  return undefined;
}

/** What a closed charge told the platform: its record, nothing (it failed or was terminated), or unknown. */
type Announcement =
  | { readonly kind: 'record'; readonly record: ChargeRecord }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'unknown' };

export function createChargeWorkflows(
  client: Client,
  taskQueue: string,
  options: { readonly callDeadlineMs?: number } = {},
): ChargeWorkflows {
  const callDeadlineMs = options.callDeadlineMs ?? TEMPORAL_CALL_DEADLINE_MS;
  const announcementOf = async (workflowId: string): Promise<Announcement> => {
    const handle = client.workflow.getHandle<typeof ChargeWorkflow>(workflowId);
    try {
      const { status } = await handle.describe();
      if (status.name === 'COMPLETED') return { kind: 'record', record: await handle.result() };
      // Failed, terminated or timed out: the workflow published nothing (a v1 charge whose Stripe
      // calls outlived their window ended so).
      return status.name === 'RUNNING' ? { kind: 'unknown' } : { kind: 'nothing' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'unknown' };
      throw err;
    }
  };

  const guard = async <T>(
    call: (deadline: number) => Promise<T>,
    deadline = Date.now() + callDeadlineMs,
  ): Promise<T> => {
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
  const describeCharge = async (eventId: string): Promise<ExistingCharge | undefined> => {
    const workflowId = chargeWorkflowId(eventId);
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      const hash = description.memo?.['payload_hash'];
      const attempt = description.memo?.['start_attempt'];
      return {
        workflowId,
        runId: description.runId,
        payloadHash: typeof hash === 'string' ? hash : undefined,
        status: (description.typedSearchAttributes.get(ChargeStatusSearchAttribute) ??
          'pending') as ChargeStatus,
        ...(typeof attempt === 'string' ? { startAttempt: attempt } : {}),
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  };
  /**
   * What a caller waiting on a charge's update hears when the update did not answer: a closed charge's
   * final record (a query reads it), the wait running out or the update refused (not ready), or 503.
   */
  const answerAfterUpdateFailure = async (handle: WorkflowHandle, err: unknown): Promise<EarlyAnswer> => {
    if (isClosedWorkflow(err)) {
      return guard(async (): Promise<EarlyAnswer> => ({
        kind: 'ready',
        record: await handle.query(chargeStateQuery),
      })).catch((): EarlyAnswer => ({ kind: 'not_ready', reason: 'closed' }));
    }
    const reason = notReadyReason(err);
    if (reason !== undefined) return { kind: 'not_ready', reason };
    if (isTemporalUnavailable(err)) throw new TemporalUnavailableError(err);
    throw err;
  };

  const awaitPaymentIntent = async (eventId: string, waitMs: number): Promise<EarlyAnswer> => {
    const handle = client.workflow.getHandle(chargeWorkflowId(eventId));
    try {
      return await client.connection.withDeadline(Date.now() + waitMs, async () => {
        // A query first: a repeat mostly finds the PaymentIntent there, and a query adds nothing to
        // the charge's history (each update does; Temporal also caps updates per workflow).
        const record = await handle.query(chargeStateQuery);
        if (record.payment_intent_id !== null || isTerminal(record.status)) return { kind: 'ready', record };
        return { kind: 'ready', record: await handle.executeUpdate(awaitPaymentIntentUpdate) };
      });
    } catch (err) {
      // Closed between the query and the update.
      return answerAfterUpdateFailure(handle, err);
    }
  };

  /** Whether the refunds workflow under the id ended without a charge to refund (or is open again). */
  const endedWithoutCharge = async (eventId: string): Promise<boolean> => {
    const handle = client.workflow.getHandle<typeof RefundsWorkflow>(refundsWorkflowId(eventId));
    try {
      const { status } = await handle.describe();
      // Started again meanwhile: a new delivery joins it.
      if (status.name === 'RUNNING') return true;
      if (status.name !== 'COMPLETED') return false;
      const result = await handle.result();
      return result?.charge_lookup !== undefined;
    } catch (err) {
      // Gone meanwhile (retention): a new run may start.
      if (err instanceof WorkflowNotFoundError) return true;
      throw err;
    }
  };

  const refundsStartOperation = (input: RefundsWorkflowInput, reusePolicy: WorkflowIdReusePolicy) => {
    const eventId = refundsInputEventId(input);
    const { charge } = input;
    return new WithStartWorkflowOperation(RefundsWorkflow, {
      workflowId: refundsWorkflowId(eventId),
      taskQueue,
      args: [input],
      // One refunds workflow per charge: join the open one; once its window has closed, refuse.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: reusePolicy,
      typedSearchAttributes:
        charge !== null
          ? [
              { key: OrderIdSearchAttribute, value: charge.order_id },
              { key: EventIdSearchAttribute, value: eventId },
              { key: AmountMinorSearchAttribute, value: charge.amount },
              { key: CurrencySearchAttribute, value: charge.currency },
              { key: RefundedMinorSearchAttribute, value: 0 },
            ]
          : // The rest is set by the workflow once Stripe has named the charge.
            [
              { key: EventIdSearchAttribute, value: eventId },
              { key: RefundedMinorSearchAttribute, value: 0 },
            ],
      staticSummary:
        charge !== null
          ? `Refunds of ${formatAmount(charge.amount, charge.currency)} for order ${charge.order_id}`
          : `Refunds of charge ${eventId}, looked up at Stripe (its workflow is no longer retained)`,
    });
  };

  /**
   * One delivery of a refund request. A retained charge's is decided at once, as before. Without a
   * record the workflow must first ask Stripe: the request is answered `held` once the workflow has
   * accepted it (it is in the history, so it will be decided) but its answer has not come within the
   * call deadline. Until it is accepted, a Temporal that does not answer is a 503 (the caller's retry
   * of the same refund_id is a duplicate, never a second refund).
   */
  const deliverRefund = async (
    input: RefundsWorkflowInput,
    request: RefundRequest,
    reusePolicy: WorkflowIdReusePolicy,
  ): Promise<RefundOutcome | { readonly kind: 'id_taken' }> => {
    const startWorkflowOperation = refundsStartOperation(input, reusePolicy);
    const refused = (err: unknown) => {
      const rejected = rejectionOf(err);
      if (rejected) return rejected;
      if (err instanceof WorkflowExecutionAlreadyStartedError || isClosedWorkflow(err))
        return { kind: 'id_taken' } as const;
      return undefined;
    };
    if (input.charge !== null) {
      return guard(async () => {
        try {
          const value = await client.workflow.executeUpdateWithStart(refundUpdate, {
            args: [request],
            startWorkflowOperation,
          });
          return { kind: 'ok', value };
        } catch (err) {
          const answer = refused(err);
          if (answer) return answer;
          throw err;
        }
      });
    }
    const deadline = Date.now() + callDeadlineMs;
    let update: WorkflowUpdateHandle<RefundAnswer>;
    try {
      update = await guard(
        () =>
          client.workflow.startUpdateWithStart(refundUpdate, {
            args: [request],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
            startWorkflowOperation,
          }),
        deadline,
      );
    } catch (err) {
      const answer = refused(err);
      if (answer) return answer;
      throw err;
    }
    try {
      const value = await client.connection.withDeadline(deadline, () => update.result());
      return { kind: 'ok', value };
    } catch (err) {
      const answer = refused(err);
      if (answer) return answer;
      // Accepted, so durably held: however the wait for its answer ended, the caller hears so.
      if (grpcCodeOf(err) !== undefined) return { kind: 'held' };
      throw err;
    }
  };

  const chargeReads = createSharedReads<ChargeRecord | undefined>();
  const refundReads = createSharedReads<RefundsState | undefined>();
  return {
    start: (input) =>
      guard(async () => {
        const options = chargeStartOptions(input, taskQueue);
        const { workflowId } = options;
        try {
          const handle = await client.workflow.start(ChargeWorkflow, options);
          return { kind: 'started', workflowId, runId: handle.firstExecutionRunId };
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'exists', workflowId };
          throw err;
        }
      }),

    startWithEarlyAnswer: async (input, waitMs) => {
      const now = Date.now();
      const waitDeadline = now + waitMs;
      // Whether the charge started must be known by then, however long the caller is ready to wait.
      const startDeadline = now + TEMPORAL_CALL_DEADLINE_MS;
      const updateDeadline = Math.min(waitDeadline, startDeadline - START_DESCRIBE_RESERVE_MS);
      // Names this attempt in the memo: if the wait runs out before the server has answered the
      // start, a describe tells whether this call or another one started the charge.
      const attempt = randomUUID();
      const options = chargeStartOptions(input, taskQueue, { start_attempt: attempt });
      const { workflowId } = options;
      const startWorkflowOperation = new WithStartWorkflowOperation(ChargeWorkflow, options);
      let update: WorkflowUpdateHandle<ChargeRecord>;
      try {
        // One call starts the charge and delivers the update that answers once the PaymentIntent
        // exists; it returns when the worker has accepted the update (its first workflow task).
        update = await client.connection.withDeadline(updateDeadline, () =>
          client.workflow.startUpdateWithStart(awaitPaymentIntentUpdate, {
            waitForStage: WorkflowUpdateStage.ACCEPTED,
            startWorkflowOperation,
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'exists', workflowId };
        const reason = notReadyReason(err);
        if (reason === undefined) throw err;
        // The wait ran out before the update was accepted (e.g. no worker took the first workflow
        // task: the server holds its answer until one does), or Temporal did not answer at all. Was
        // the charge started, and by us? Asked within the call deadline, so "no answer" is a 503.
        const found = await guard(() => describeCharge(input.request.event_id), startDeadline);
        if (found === undefined) throw new TemporalUnavailableError(err);
        if (found.startAttempt !== attempt) return { kind: 'exists', workflowId };
        // Started by this call. When the call deadline, not the caller's wait, cut the update short,
        // the rest of the wait goes to the PaymentIntent, as for a repeat.
        const left = waitDeadline - Date.now();
        const early: EarlyAnswer =
          reason === 'timeout' && left > 0
            ? await awaitPaymentIntent(input.request.event_id, left)
            : { kind: 'not_ready', reason };
        return { kind: 'started', workflowId, runId: found.runId, early };
      }
      const runId =
        update.workflowRunId ?? (await guard(() => describeCharge(input.request.event_id)))?.runId ?? '';
      try {
        const record = await client.connection.withDeadline(waitDeadline, () => update.result());
        return { kind: 'started', workflowId, runId, early: { kind: 'ready', record } };
      } catch (err) {
        // Started, whatever the wait says: the caller gets the plain 202.
        const reason = notReadyReason(err);
        if (reason === undefined) throw err;
        return { kind: 'started', workflowId, runId, early: { kind: 'not_ready', reason } };
      }
    },

    awaitPaymentIntent,

    loadClientSecret: async (eventId, waitMs) => {
      const handle = client.workflow.getHandle(chargeWorkflowId(eventId));
      try {
        const record = await client.connection.withDeadline(Date.now() + waitMs, () =>
          handle.executeUpdate(loadClientSecretUpdate),
        );
        return { kind: 'ready', record };
      } catch (err) {
        // Closed meanwhile: its final record carries no secret.
        return answerAfterUpdateFailure(handle, err);
      }
    },

    describe: (eventId) => guard(() => describeCharge(eventId)),

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

    capture: (eventId, request) =>
      guard(async () => {
        try {
          const value = await client.workflow
            .getHandle(chargeWorkflowId(eventId))
            .executeUpdate(captureChargeUpdate, { args: [request] });
          return { kind: 'ok', value };
        } catch (err) {
          const rejected = rejectionOf(err);
          if (rejected) return rejected;
          if (isClosedWorkflow(err)) return { kind: 'closed' };
          throw err;
        }
      }),

    refund: async (input, request) => {
      // A run that looked its charge up at Stripe and found none to refund holds no refund: a later
      // request may start a new run under the id. Any other closed run keeps it (its window closed).
      const first = await deliverRefund(input, request, WorkflowIdReusePolicy.REJECT_DUPLICATE);
      if (first.kind !== 'id_taken') return first;
      if (!(await guard(() => endedWithoutCharge(refundsInputEventId(input)))))
        return { kind: 'window_closed' };
      const again = await deliverRefund(input, request, WorkflowIdReusePolicy.ALLOW_DUPLICATE);
      return again.kind === 'id_taken' ? { kind: 'window_closed' } : again;
    },

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

    handOverLateEvent: (eventId, orderId, payload, policy) =>
      guard(async () => {
        const announcement = await announcementOf(chargeWorkflowId(eventId));
        if (announcement.kind === 'record' && announcement.record.status === 'succeeded') return 'agrees';
        const input: LateOutcomeWorkflowInput = {
          event_id: eventId,
          order_id: announcement.kind === 'record' ? announcement.record.order_id : (orderId ?? ''),
          announced: announcement.kind === 'record' ? announcement.record : null,
          nothing_announced: announcement.kind === 'nothing',
          policy,
        };
        // Signal-with-start: the one late-outcome workflow of this charge is started by the first
        // such event and hears the later ones (it applies each Stripe event once).
        try {
          await client.workflow.signalWithStart(LateOutcomeWorkflow, {
            workflowId: lateOutcomeWorkflowId(eventId),
            taskQueue,
            args: [input],
            signal: lateStripeEventSignal,
            // A closed charge's customer has nothing left to do: its secret has no business here.
            signalArgs: [withoutCustomerAction(payload)],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            typedSearchAttributes: [
              { key: EventIdSearchAttribute, value: eventId },
              ...(input.order_id ? [{ key: OrderIdSearchAttribute, value: input.order_id }] : []),
            ],
            staticSummary: `Money taken after charge ${eventId} ended: ${policy}`,
          });
        } catch (err) {
          // Its late outcome was already settled and closed: this event is the same money again.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        return 'started';
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
