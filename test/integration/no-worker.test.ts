/**
 * No worker polling the charge's task queue (every worker down, or a rollout between two): the
 * gateway still accepts charges (a start is durable without a worker), and a status read, which
 * needs a worker to answer its query, is "unavailable, retry later": 503 with Retry-After, never 500.
 * The compiled binary in gateway mode, each test on a task queue of its own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { RETRY_AFTER_SECONDS } from '../../src/api/errors';
import { TEMPORAL_CALL_DEADLINE_MS } from '../../src/api/temporal/charge-workflows';
import { chargeWorkflowId } from '../../src/contracts/charge';
import { spawnService, type SpawnedService } from '../support/spawned-service';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

const API_TOKEN = 'no-worker-token-0123456789';
const AUTH = { authorization: `Bearer ${API_TOKEN}` };
/**
 * The gateway gives every Temporal call TEMPORAL_CALL_DEADLINE_MS, then answers 503; the extra second
 * is the HTTP round trip and the process on a loaded 2-core machine, not a second deadline.
 */
const PROMPT_ANSWER_MS = TEMPORAL_CALL_DEADLINE_MS + 1_000;

function roleEnv(mode: 'gateway' | 'worker', taskQueue: string): Record<string, string> {
  return {
    PAYMENTS_MODE: mode,
    CHARGE_API_TOKEN: API_TOKEN,
    STRIPE_KEY: 'sk_test_noworker',
    STRIPE_API_BASE: stack.stripeMockUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    KAFKA_BROKERS: stack.kafkaBrokers,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'warn',
  };
}

function newCharge() {
  const id = randomUUID();
  return { event_id: `evt-nw-${id}`, order_id: `order-nw-${id}`, amount: 1500, currency: 'usd' };
}

describe('a gateway with no worker polling its task queue', { timeout: 120_000 }, () => {
  const taskQueues: string[] = [];
  const spawned: SpawnedService[] = [];
  let temporal: Client;
  before(async () => {
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
  });
  after(async () => {
    // No worker will ever finish these charges: end them so they do not linger on the dev server.
    for (const taskQueue of taskQueues) {
      const open = temporal.workflow.list({
        query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      });
      for await (const info of open)
        await temporal.workflow.getHandle(info.workflowId).terminate('test over');
    }
    await temporal?.connection.close();
    for (const service of spawned) {
      if (service.child.exitCode === null) await service.stop();
    }
  });

  async function start(mode: 'gateway' | 'worker', taskQueue: string): Promise<SpawnedService> {
    const service = await spawnService(roleEnv(mode, taskQueue));
    spawned.push(service);
    return service;
  }
  function uniqueTaskQueue(): string {
    const taskQueue = `no-worker-${randomUUID()}`;
    taskQueues.push(taskQueue);
    return taskQueue;
  }
  const postCharge = (gateway: SpawnedService, charge: object) =>
    fetch(`${gateway.url}/charge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify(charge),
    });

  /** GET /charges/:event_id, timed from request to the whole body. */
  async function getCharge(gateway: SpawnedService, eventId: string) {
    const asked = Date.now();
    const res = await fetch(`${gateway.url}/charges/${eventId}`, { headers: AUTH });
    const body = await res.text();
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body,
      tookMs: Date.now() - asked,
    };
  }

  function assertUnavailable(answer: Awaited<ReturnType<typeof getCharge>>): void {
    const seen = `status ${answer.status} after ${answer.tookMs} ms: ${answer.body}`;
    assert.equal(answer.status, 503, seen);
    assert.equal(answer.retryAfter, String(RETRY_AFTER_SECONDS), seen);
    assert.equal((JSON.parse(answer.body) as { error: string }).error, 'unavailable', seen);
    assert.ok(answer.tookMs < PROMPT_ANSWER_MS, `${seen}; not within ${PROMPT_ANSWER_MS} ms`);
  }

  it('accepts a charge with 202 (its workflow starts without a worker), then answers its GET with 503 and Retry-After, not 500', async () => {
    const taskQueue = uniqueTaskQueue();
    const gateway = await start('gateway', taskQueue);
    const charge = newCharge();

    const accepted = await postCharge(gateway, charge);
    assert.equal(accepted.status, 202, await accepted.text());
    const description = await temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.taskQueue, taskQueue);

    assertUnavailable(await getCharge(gateway, charge.event_id));
  });

  it('answers 503 with Retry-After, not 500, once the only worker that served the charge has stopped', async () => {
    const taskQueue = uniqueTaskQueue();
    const gateway = await start('gateway', taskQueue);
    const worker = await start('worker', taskQueue);
    const charge = newCharge();
    assert.equal((await postCharge(gateway, charge)).status, 202);
    await waitUntil(
      async () => (await getCharge(gateway, charge.event_id)).status === 200,
      'the worker to answer the charge query',
    );

    assert.equal(await worker.stop(), 0, `the worker exits cleanly; output:\n${worker.output()}`);
    assertUnavailable(await getCharge(gateway, charge.event_id));
  });
});
