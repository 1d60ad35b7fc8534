/**
 * Everything the stand-in knows, in memory: the objects, the events they produced, the webhook
 * endpoints. One instance per stand-in; a snapshot of it is what the state file holds.
 */
import type {
  ChargeRecord,
  DisputeRecord,
  EventRecord,
  PaymentIntentRecord,
  RefundRecord,
  WebhookEndpointRecord,
} from './model';

/** Events kept for GET /v1/events/:id and the control API; the oldest go first. */
export const MAX_EVENTS = 20_000;

export interface StoreSnapshot {
  readonly payment_intents: PaymentIntentRecord[];
  readonly charges: ChargeRecord[];
  readonly refunds: RefundRecord[];
  readonly disputes: DisputeRecord[];
  readonly events: EventRecord[];
  readonly webhook_endpoints: WebhookEndpointRecord[];
}

export class Store {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly disputes = new Map<string, DisputeRecord>();
  readonly events = new Map<string, EventRecord>();
  readonly webhookEndpoints = new Map<string, WebhookEndpointRecord>();
  /** When a PaymentIntent becomes visible to search (Stripe's search index lags its writes). */
  readonly searchableAt = new Map<string, number>();

  addEvent(event: EventRecord): void {
    this.events.set(event.id, event);
    for (const oldest of this.events.keys()) {
      if (this.events.size <= MAX_EVENTS) break;
      this.events.delete(oldest);
    }
  }

  refundsOf(paymentIntentId: string): RefundRecord[] {
    return [...this.refunds.values()].filter((r) => r.payment_intent === paymentIntentId);
  }

  snapshot(): StoreSnapshot {
    return {
      payment_intents: [...this.paymentIntents.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      disputes: [...this.disputes.values()],
      events: [...this.events.values()],
      webhook_endpoints: [...this.webhookEndpoints.values()],
    };
  }

  restore(snapshot: Partial<StoreSnapshot>): void {
    for (const pi of snapshot.payment_intents ?? []) this.paymentIntents.set(pi.id, pi);
    for (const charge of snapshot.charges ?? []) this.charges.set(charge.id, charge);
    for (const refund of snapshot.refunds ?? []) this.refunds.set(refund.id, refund);
    for (const dispute of snapshot.disputes ?? []) this.disputes.set(dispute.id, dispute);
    for (const event of snapshot.events ?? []) this.events.set(event.id, event);
    for (const endpoint of snapshot.webhook_endpoints ?? []) this.webhookEndpoints.set(endpoint.id, endpoint);
  }
}
