import { TemporalUnavailableError } from '../../src/api/temporal/charge-workflows';
import type { DisputeWorkflows } from '../../src/api/temporal/dispute-workflows';
import type { DisputeRecord } from '../../src/contracts/dispute';
import type { DisputeEventPayload } from '../../src/contracts/payment-provider';

/** An in-memory stand-in for the dispute workflows, for API tests: what was delivered, what is listed. */
export class FakeDisputeWorkflows implements DisputeWorkflows {
  readonly delivered: DisputeEventPayload[] = [];
  /** Disputes whose workflow has ended: a later event is refused, as REJECT_DUPLICATE does. */
  readonly ended = new Set<string>();
  /** What listForCharge answers, per charge event_id. */
  readonly byCharge = new Map<string, DisputeRecord[]>();
  unavailable = false;

  private check(): void {
    if (this.unavailable) throw new TemporalUnavailableError(new Error('14 UNAVAILABLE: connection refused'));
  }

  async deliver(payload: DisputeEventPayload): Promise<'accepted' | 'closed'> {
    this.check();
    if (this.ended.has(payload.dispute_id)) return 'closed';
    this.delivered.push(payload);
    return 'accepted';
  }

  async listForCharge(eventId: string): Promise<DisputeRecord[]> {
    this.check();
    return this.byCharge.get(eventId) ?? [];
  }
}
