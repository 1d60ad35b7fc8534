import {
  TemporalUnavailableError,
  type ChargeWorkflows,
  type ExistingCharge,
  type StartResult,
} from '../../src/clients/charge-workflows';
import { chargeWorkflowId, type ChargeRecord, type ChargeWorkflowInput } from '../../src/contracts/charge';
import type { StripeEventPayload } from '../../src/workflows/messages';

/** An in-memory stand-in for Temporal with the same one-workflow-per-id rule, for API tests. */
export class FakeChargeWorkflows implements ChargeWorkflows {
  readonly started: ChargeWorkflowInput[] = [];
  readonly signals: Array<{ eventId: string; payload: StripeEventPayload }> = [];
  readonly finished = new Set<string>();
  unavailable = false;

  private check(): void {
    if (this.unavailable) throw new TemporalUnavailableError(new Error('14 UNAVAILABLE: connection refused'));
  }

  private find(eventId: string): ChargeWorkflowInput | undefined {
    return this.started.find((s) => s.request.event_id === eventId);
  }

  async start(input: ChargeWorkflowInput): Promise<StartResult> {
    this.check();
    const workflowId = chargeWorkflowId(input.request.event_id);
    if (this.find(input.request.event_id)) return { kind: 'exists', workflowId };
    this.started.push(input);
    return { kind: 'started', workflowId, runId: `run-${this.started.length}` };
  }

  async describe(eventId: string): Promise<ExistingCharge | undefined> {
    this.check();
    const found = this.find(eventId);
    if (!found) return undefined;
    return {
      workflowId: chargeWorkflowId(eventId),
      runId: 'run-1',
      payloadHash: found.payload_hash,
      status: 'pending',
    };
  }

  async getState(eventId: string): Promise<ChargeRecord | undefined> {
    this.check();
    const found = this.find(eventId);
    if (!found) return undefined;
    const { request } = found;
    return {
      event_id: request.event_id,
      order_id: request.order_id,
      status: 'pending',
      amount: request.amount,
      currency: request.currency,
      payment_intent_id: null,
      failure: null,
      updated_at: '2026-01-01T00:00:00.000Z',
    };
  }

  async signalStripeEvent(
    eventId: string,
    payload: StripeEventPayload,
  ): Promise<'signalled' | 'not_running'> {
    this.check();
    if (!this.find(eventId) || this.finished.has(eventId)) return 'not_running';
    this.signals.push({ eventId, payload });
    return 'signalled';
  }
}
