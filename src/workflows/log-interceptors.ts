/**
 * Puts the charge's order_id on every workflow log line (ours and the SDK's), read from the
 * workflow's own search attributes, which the gateway sets at start (charge and refunds alike).
 * event_id comes from the workflow id, in src/observability/temporal-logger.ts.
 */
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { OrderIdSearchAttribute } from './messages';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(input, next) {
        const orderId = workflowInfo().typedSearchAttributes.get(OrderIdSearchAttribute);
        return next({ ...input, ...(orderId !== undefined ? { order_id: orderId } : {}) });
      },
    },
  ],
});
