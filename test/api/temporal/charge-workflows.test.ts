/**
 * The API's port to Temporal, over a stand-in Temporal client: which gRPC refusals are "unavailable"
 * (the gateway answers 503 with Retry-After), and how reads of one charge behave under a burst.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import { createChargeWorkflows, TemporalUnavailableError } from '../../../src/api/temporal/charge-workflows';
import type { ChargeRecord } from '../../../src/contracts/charge';

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
