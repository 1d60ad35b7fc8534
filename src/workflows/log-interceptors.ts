/**
 * Puts the charge's event_id and order_id on every workflow log line (ours and the SDK's), so one
 * grep follows a charge through every role. Read from the workflow's own search attributes, which
 * the gateway sets at start.
 */
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { EventIdSearchAttribute, OrderIdSearchAttribute } from './messages';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(input, next) {
        const attributes = workflowInfo().typedSearchAttributes;
        const eventId = attributes.get(EventIdSearchAttribute);
        const orderId = attributes.get(OrderIdSearchAttribute);
        return next({
          ...input,
          ...(eventId !== undefined ? { event_id: eventId } : {}),
          ...(orderId !== undefined ? { order_id: orderId } : {}),
        });
      },
    },
  ],
});
