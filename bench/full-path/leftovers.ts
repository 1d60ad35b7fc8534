/**
 * Charges the bench gave up on (overload, or a lost webhook) leave ChargeWorkflows waiting for a
 * signal that will never come. Terminating them keeps a shared dev stack free of the bench's debris.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { chargeWorkflowId } from '../../src/contracts/charge';

export async function terminateLeftovers(client: Client, eventIds: readonly string[]): Promise<number> {
  let terminated = 0;
  const queue = [...eventIds];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await client.workflow.getHandle(chargeWorkflowId(id)).terminate('bench run ended');
        terminated++;
      } catch (err) {
        // Already closed (it finished late), or never started (the POST failed): nothing to do.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return terminated;
}
