/**
 * The API's port to Temporal, over a stand-in Temporal client: which gRPC refusals are "unavailable"
 * (the gateway answers 503 with Retry-After), how reads of one charge behave under a burst, and which
 * deadlines a POST that waits for its PaymentIntent (`Prefer: wait=N`) hands the client.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import {
  createChargeWorkflows,
  START_DESCRIBE_RESERVE_MS,
  TemporalUnavailableError,
  TEMPORAL_CALL_DEADLINE_MS,
} from '../../../src/api/temporal/charge-workflows';
import type { ChargeRecord, ChargeWorkflowInput } from '../../../src/contracts/charge';

/** What @grpc/grpc-js rejects a call with: an Error carrying code, details and metadata. */
function grpcError(code: GrpcStatus, details: string): Error {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), { code, details, metadata: {} });
}

/** The SDK wraps a refused call in its own error, with the gRPC error as the cause. */
function sdkError(cause: Error): Error {
  return new Error('Service error', { cause });
}

const RECORD = { event_id: 'evt-1', status: 'pending' } as unknown as ChargeRecord;

/** A call deadline shorter than the service's 5 s, so a refusal that lasts is given up on quickly. */
const CALL_DEADLINE_MS = 300;

/** Just the parts of the SDK's Client that the port uses for a query. */
function stubClient(query: () => Promise<unknown>): { client: Client; deadlines: number[] } {
  const deadlines: number[] = [];
  const stub = {
    connection: {
      withDeadline: <T>(deadline: number, fn: () => Promise<T>) => {
        deadlines.push(deadline);
        return fn();
      },
    },
    workflow: { getHandle: () => ({ query }) },
  };
  // The stub has only what the code under test calls; a full Client cannot be built without a server.
  return { client: stub as unknown as Client, deadlines };
}

describe('the API port to Temporal', () => {
  for (const [name, code] of [
    ['UNAVAILABLE', GrpcStatus.UNAVAILABLE],
    ['DEADLINE_EXCEEDED', GrpcStatus.DEADLINE_EXCEEDED],
    ['RESOURCE_EXHAUSTED', GrpcStatus.RESOURCE_EXHAUSTED],
    ['FAILED_PRECONDITION (no worker polling to answer a query)', GrpcStatus.FAILED_PRECONDITION],
  ] as const) {
    it(`reports ${name} as Temporal being unavailable (the gateway's 503), not as an error`, async () => {
      const { client } = stubClient(() => Promise.reject(sdkError(grpcError(code, 'refused'))));
      const charges = createChargeWorkflows(client, 'q', { callDeadlineMs: CALL_DEADLINE_MS });
      await assert.rejects(charges.getState(`evt-${name}`), TemporalUnavailableError);
    });
  }

  it('passes other gRPC refusals through (the error handler answers 500 without detail)', async () => {
    const { client } = stubClient(() =>
      Promise.reject(sdkError(grpcError(GrpcStatus.INVALID_ARGUMENT, 'bad'))),
    );
    await assert.rejects(createChargeWorkflows(client, 'q').getState('evt-x'), (err: unknown) => {
      assert.ok(!(err instanceof TemporalUnavailableError));
      return true;
    });
  });

  it('asks again when the workflow query buffer is full, and answers once it frees', async () => {
    let calls = 0;
    const { client } = stubClient(async () => {
      calls++;
      if (calls <= 3)
        throw sdkError(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'consistent query buffer is full'));
      return RECORD;
    });
    assert.deepEqual(await createChargeWorkflows(client, 'q').getState('evt-buffer'), RECORD);
    assert.equal(calls, 4);
  });

  it('gives up on a full buffer at the call deadline, as unavailable', async () => {
    const started = Date.now();
    const { client, deadlines } = stubClient(() =>
      Promise.reject(sdkError(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'consistent query buffer is full'))),
    );
    const charges = createChargeWorkflows(client, 'q', { callDeadlineMs: CALL_DEADLINE_MS });
    await assert.rejects(charges.getState('evt-full'), TemporalUnavailableError);
    assert.equal(deadlines.length, 1);
    assert.ok((deadlines[0] ?? 0) - started <= CALL_DEADLINE_MS + 50);
    assert.ok(Date.now() <= (deadlines[0] ?? 0) + 50, 'no retry is started past the deadline');
  });

  it('shares one query among 50 concurrent reads of the same charge, and asks afresh afterwards', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const { client } = stubClient(async () => {
      calls++;
      await new Promise<void>((resolve) => (release = resolve));
      return RECORD;
    });
    const charges = createChargeWorkflows(client, 'q');
    const burst = Array.from({ length: 50 }, () => charges.getState('evt-burst'));
    release();
    const answers = await Promise.all(burst);
    assert.equal(calls, 1);
    assert.ok(answers.every((a) => a === RECORD));

    const again = charges.getState('evt-burst');
    release();
    await again;
    assert.equal(calls, 2, 'nothing is cached once the shared read has settled');
  });

  it('keeps reads of different charges apart', async () => {
    const asked: string[] = [];
    const stub = {
      connection: { withDeadline: <T>(_d: number, fn: () => Promise<T>) => fn() },
      workflow: {
        getHandle: (id: string) => ({
          query: async () => {
            asked.push(id);
            return RECORD;
          },
        }),
      },
    };
    const charges = createChargeWorkflows(stub as unknown as Client, 'q');
    await Promise.all([charges.getState('evt-a'), charges.getState('evt-b'), charges.getRefunds('evt-a')]);
    assert.deepEqual(asked.sort(), ['charge-evt-a', 'charge-evt-b', 'refunds-evt-a']);
  });
});

/** A new charge's start input. */
function chargeInput(eventId: string): ChargeWorkflowInput {
  return {
    request: { event_id: eventId, order_id: `order-${eventId}`, amount: 1999, currency: 'usd' },
    payload_hash: 'hash',
  };
}

/** Lets every promise callback run (setImmediate is not among the mocked timers). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances the mocked clock in small steps until `promise` settles; answers when, on that clock. */
async function clockUntilSettled(t: TestContext, promise: Promise<unknown>): Promise<number> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let step = 0; step < 1000 && !done; step++) {
    await settled();
    if (!done) t.mock.timers.tick(50);
  }
  assert.ok(done, 'settled within 50 s of mocked time');
  return Date.now();
}

/** What @grpc/grpc-js rejects a call with when its deadline passes. */
const deadlineExceeded = () =>
  sdkError(grpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded after 4.000s'));

/** A server that accepts the connection and never answers: each call fails at its deadline. */
function silentClient(deadlines: number[]): Client {
  const stub = {
    connection: {
      withDeadline: (deadline: number) => {
        deadlines.push(deadline);
        return new Promise((_, reject) =>
          setTimeout(() => reject(deadlineExceeded()), deadline - Date.now()),
        );
      },
    },
    workflow: {},
  };
  return stub as unknown as Client;
}

describe('Prefer: wait=N and the call deadline', () => {
  it('hands every call of a POST that waits 10 s a deadline within the 5 s call deadline when Temporal never answers, and ends unavailable (the 503) by then', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const deadlines: number[] = [];
    const started = Date.now();
    const answer = createChargeWorkflows(silentClient(deadlines), 'q').startWithEarlyAnswer(
      chargeInput('evt-silent'),
      10_000,
    );
    const endedAt = await clockUntilSettled(t, answer);
    await assert.rejects(answer, TemporalUnavailableError);
    assert.deepEqual(
      deadlines.map((d) => d - started),
      [TEMPORAL_CALL_DEADLINE_MS - START_DESCRIBE_RESERVE_MS, TEMPORAL_CALL_DEADLINE_MS],
      'the update-with-start, then the describe that decides, both inside the 5 s',
    );
    assert.ok(endedAt - started <= TEMPORAL_CALL_DEADLINE_MS, `ended after ${endedAt - started} ms`);
  });

  it('gives a short wait (2 s) its own deadline, and the describe after it only what is left of the 5 s', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 3_000_000 });
    const deadlines: number[] = [];
    const started = Date.now();
    const answer = createChargeWorkflows(silentClient(deadlines), 'q').startWithEarlyAnswer(
      chargeInput('evt-short'),
      2_000,
    );
    await clockUntilSettled(t, answer);
    await assert.rejects(answer, TemporalUnavailableError);
    assert.deepEqual(
      deadlines.map((d) => d - started),
      [2_000, TEMPORAL_CALL_DEADLINE_MS],
    );
  });

  it('keeps waiting for the PaymentIntent for the rest of the 10 s once a describe shows this call started the charge', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 2_000_000 });
    const deadlines: number[] = [];
    let current = 0;
    let startAttempt: unknown;
    const record = { event_id: 'evt-slow', status: 'pending', payment_intent_id: 'pi_1' } as ChargeRecord;
    // A server that started the charge, but whose worker takes the first workflow task late.
    const stub = {
      connection: {
        withDeadline: <T>(deadline: number, fn: () => Promise<T>) => {
          deadlines.push(deadline);
          current = deadline;
          return fn();
        },
      },
      workflow: {
        startUpdateWithStart: (
          _update: unknown,
          options: { startWorkflowOperation: { options: { memo: Record<string, unknown> } } },
        ) => {
          startAttempt = options.startWorkflowOperation.options.memo['start_attempt'];
          const deadline = current;
          return new Promise((_, reject) =>
            setTimeout(() => reject(deadlineExceeded()), deadline - Date.now()),
          );
        },
        getHandle: () => ({
          describe: async () => ({
            runId: 'run-1',
            memo: { payload_hash: 'hash', start_attempt: startAttempt },
            typedSearchAttributes: { get: () => 'pending' },
          }),
          query: async () => record,
        }),
      },
    };
    const started = Date.now();
    const charges = createChargeWorkflows(stub as unknown as Client, 'q');
    const answer = charges.startWithEarlyAnswer(chargeInput('evt-slow'), 10_000);
    await clockUntilSettled(t, answer);
    assert.deepEqual(await answer, {
      kind: 'started',
      workflowId: 'charge-evt-slow',
      runId: 'run-1',
      early: { kind: 'ready', record },
    });
    assert.deepEqual(
      deadlines.map((d) => d - started),
      [TEMPORAL_CALL_DEADLINE_MS - START_DESCRIBE_RESERVE_MS, TEMPORAL_CALL_DEADLINE_MS, 10_000],
      "update-with-start, describe, then the PaymentIntent awaited until the caller's wait ends",
    );
  });
});
