import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** order_id, refund_id and dispute_id from the activity's first argument, which names what it is about. */
function chargeIdsOf(args: readonly unknown[]): Record<string, string> {
  const first = args[0];
  if (first === null || typeof first !== 'object') return {};
  const ids: Record<string, string> = {};
  for (const key of ['order_id', 'refund_id', 'dispute_id'] as const) {
    const value = (first as Record<string, unknown>)[key];
    if (typeof value === 'string') ids[key] = value;
  }
  return ids;
}

/**
 * Puts the charge's order_id (and a refund's refund_id, a dispute's dispute_id) on each log line of the activity, the SDK's
 * own lines included; event_id comes from the workflow id, in src/observability/temporal-logger.ts.
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
