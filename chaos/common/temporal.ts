/**
 * Temporal seen from the outside: visibility queries (workflows by task queue) and a workflow's
 * history (signals that reached it).
 */
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import type { StackAddresses } from '../../test/support/stack';
import { sleep } from '../../test/support/wait';
import { localDataConverter } from '../../test/support/codec';

export async function connectTemporal(stack: StackAddresses): Promise<Client> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  return new Client({ connection, namespace: stack.temporalNamespace, dataConverter: localDataConverter() });
}

export async function listByTaskQueue(client: Client, taskQueue: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) found.push(info);
  return found;
}

export async function countByTaskQueue(client: Client, taskQueue: string, extra = ''): Promise<number> {
  const { count } = await client.workflow.count(`TaskQueue = '${taskQueue}'${extra ? ` AND ${extra}` : ''}`);
  return count;
}

/**
 * Waits until `expected` workflows of the task queue are visible and none is running. Returns the
 * number still running at the deadline (0 on success).
 */
export async function waitForAllClosed(
  client: Client,
  taskQueue: string,
  expected: number,
  timeoutMs: number,
  onWait?: (running: number, total: number) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    let total = -1;
    let running = -1;
    try {
      total = await countByTaskQueue(client, taskQueue);
      running = await countByTaskQueue(client, taskQueue, `ExecutionStatus = 'Running'`);
    } catch {
      // Visibility may be briefly unavailable; ask again.
    }
    if (total >= expected && running === 0) return 0;
    if (Date.now() > deadline) return Math.max(running, expected - Math.max(total, 0));
    if (onWait && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      onWait(running, total);
    }
    await sleep(500);
  }
}

/** Signals recorded in a workflow's history: what "accepted as a signal" means, counted by the server. */
export async function signalsReceived(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes != null).length;
}
