import type { ActivityInterceptorsFactory } from '@temporalio/worker';

function chargeIdsOf(args: readonly unknown[]): Record<string, string> {
  const first = args[0];
  if (first === null || typeof first !== 'object') return {};
  const { event_id: eventId, order_id: orderId } = first as Record<string, unknown>;
  return {
    ...(typeof eventId === 'string' ? { event_id: eventId } : {}),
    ...(typeof orderId === 'string' ? { order_id: orderId } : {}),
  };
}

/**
 * Puts the charge's event_id and order_id (every activity's first argument names its charge) on
 * each log line of the activity, the SDK's own lines included.
 */
export const activityLogInterceptors: ActivityInterceptorsFactory = () => {
  let ids: Record<string, string> = {};
  return {
    inbound: {
      execute(input, next) {
        ids = chargeIdsOf(input.args);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next({ ...input, ...ids });
      },
    },
  };
};
