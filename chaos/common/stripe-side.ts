/**
 * Stripe's side of the webhook: each delivery attempt signed afresh (new timestamp), retried with
 * backoff on any non-2xx or connection error until a 2xx, bounded by the run's deadline. A 4xx for
 * an event Stripe signed is a finding (Stripe would keep retrying it for days).
 */
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { sleep } from '../../test/support/wait';
import { backoffMs, HttpTally } from './http-tally';
import type { Violations } from './violations';

export type FinalOutcome = 'succeeded' | 'failed';

export interface StripeEvent {
  readonly stripeEventId: string;
  readonly payload: string;
}

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS_ON_4XX = 3;

/** The event Stripe sends when a PaymentIntent reaches `outcome` (or moves to processing). */
export function paymentIntentStripeEvent(input: {
  readonly stripeEventId: string;
  readonly eventId: string;
  readonly paymentIntentId: string;
  readonly kind: FinalOutcome | 'processing';
  readonly created: number;
}): StripeEvent {
  const shape = {
    succeeded: { type: 'payment_intent.succeeded', status: 'succeeded' },
    failed: { type: 'payment_intent.payment_failed', status: 'requires_payment_method' },
    processing: { type: 'payment_intent.processing', status: 'processing' },
  }[input.kind];
  return {
    stripeEventId: input.stripeEventId,
    payload: paymentIntentEvent({
      stripeEventId: input.stripeEventId,
      type: shape.type,
      status: shape.status,
      eventId: input.eventId,
      paymentIntentId: input.paymentIntentId,
      created: input.created,
    }),
  };
}

export class StripeSide {
  readonly deliveries = new HttpTally();
  /** `ignored` reasons the receiver gave (e.g. charge_not_running for a late duplicate). */
  readonly ignored = new Map<string, number>();
  private readonly delivered = new Map<string, number>();

  constructor(
    private readonly webhookUrl: () => string,
    private readonly secret: string,
    private readonly deadline: number,
    private readonly violations: Violations,
  ) {}

  /** Stripe events delivered (2xx) more than once. */
  get duplicateDeliveries(): number {
    let n = 0;
    for (const count of this.delivered.values()) n += Math.max(0, count - 1);
    return n;
  }

  get distinctEvents(): number {
    return this.delivered.size;
  }

  async deliver(event: StripeEvent, eventId: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.deliveries.retries += 1;
      let status: number | 'conn' = 'conn';
      try {
        const res = await fetch(this.webhookUrl(), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': signatureFor(event.payload, this.secret),
          },
          body: event.payload,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        const text = await res.text();
        if (res.ok) {
          this.deliveries.record(res.status);
          this.delivered.set(event.stripeEventId, (this.delivered.get(event.stripeEventId) ?? 0) + 1);
          const ignored = (JSON.parse(text) as { ignored?: string }).ignored;
          if (ignored !== undefined) this.ignored.set(ignored, (this.ignored.get(ignored) ?? 0) + 1);
          return true;
        }
        this.deliveries.record(res.status);
        if (res.status !== 503) {
          this.violations.add(`webhook answered ${res.status}`, text.slice(0, 300), eventId);
        }
        if (res.status >= 400 && res.status < 500 && attempt + 1 >= MAX_ATTEMPTS_ON_4XX) return false;
      } catch {
        this.deliveries.record('conn');
      }
      const wait = backoffMs(attempt, 200, 5_000);
      if (Date.now() + wait > this.deadline) {
        this.violations.add('webhook not accepted by the deadline', `last answer ${status}`, eventId);
        return false;
      }
      await sleep(wait);
    }
  }
}
