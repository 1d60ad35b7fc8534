/**
 * The workflow ids of a charge's lifecycle, built and read back in one place. An id is the
 * deduplication key Temporal enforces (one charge workflow per event_id, ever) and what operators
 * search for in the Web UI, so its format is part of the contract: recorded in histories, never changed.
 * Pure: safe in workflows.
 */

/** Each workflow kind's id prefix; the rest of the id is the charge's event_id. */
const PREFIXES = { charge: 'charge-', refunds: 'refunds-' } as const;

export function chargeWorkflowId(eventId: string): string {
  return `${PREFIXES.charge}${eventId}`;
}

export function refundsWorkflowId(eventId: string): string {
  return `${PREFIXES.refunds}${eventId}`;
}

/**
 * A dispute's workflow, named by Stripe's dispute id (du_…/dp_…): one per dispute, whatever happened
 * to the charge's workflow. It names no event_id; the workflow finds its charge through Stripe.
 */
export function disputeWorkflowId(disputeId: string): string {
  return `dispute-${disputeId}`;
}

/**
 * The event_id a charge's or refunds' workflow id names (`charge-<event_id>`, `refunds-<event_id>`):
 * how every log line about either workflow gets its event_id, the SDK's own lines included.
 */
export function eventIdOfWorkflowId(workflowId: string): string | undefined {
  return WORKFLOW_ID.exec(workflowId)?.[1];
}

// The prefixes are letters and '-' only, so they stand in the pattern as they are.
const WORKFLOW_ID = new RegExp(`^(?:${Object.values(PREFIXES).join('|')})(.+)$`);
