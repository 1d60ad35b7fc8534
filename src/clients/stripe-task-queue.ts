/**
 * Temporal's description of the rate-limited Stripe task queue's activity side (DescribeTaskQueue):
 * the gateway reads its backlog for the poll hint (api/temporal/stripe-queue-backlog.ts), the worker
 * its pollers for the fleet's Stripe pace (stripe/fleet-pace.ts). One request, built here.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { providerTaskQueue } from '../contracts/payment-provider';

/** What both connections offer: the client's Connection and the worker's NativeConnection. */
export type DescribingConnection = Pick<Connection, 'withDeadline' | 'workflowService'>;

export function describeStripeTaskQueue(
  connection: DescribingConnection,
  query: {
    readonly namespace: string;
    /** The charges' task queue; the Stripe queue is derived from it as the workflows do. */
    readonly taskQueue: string;
    /** Ask for the backlog statistics too. */
    readonly reportStats?: boolean;
    readonly deadlineMs: number;
  },
): Promise<temporal.api.workflowservice.v1.DescribeTaskQueueResponse> {
  return connection.withDeadline(Date.now() + query.deadlineMs, () =>
    connection.workflowService.describeTaskQueue({
      namespace: query.namespace,
      taskQueue: { name: providerTaskQueue(query.taskQueue) },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: query.reportStats ?? false,
    }),
  );
}
