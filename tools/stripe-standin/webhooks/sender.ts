/**
 * Delivers events to the webhook endpoints as Stripe does: a signed POST per event and endpoint,
 * after the change it reports; anything but a 2xx within the timeout is a failed attempt, retried
 * with doubling pauses up to the attempt limit. Stripe may also deliver an event twice, or late, or
 * out of order, and a delivery may be lost altogether: the chaos settings do each on purpose.
 */
import type { WebhookSettings } from '../settings';
import { unixSeconds } from '../state/ids';
import type { EventRecord, WebhookEndpointRecord } from '../state/model';
import type { Store } from '../state/store';
import { eventEnvelope, listensTo } from './envelope';
import { signatureHeader } from './signature';

/** Delivery attempts kept for GET /_standin/webhook_deliveries; the oldest go first. */
export const MAX_ATTEMPTS_KEPT = 50_000;

export interface DeliveryAttempt {
  readonly event_id: string;
  readonly type: string;
  readonly endpoint_id: string;
  readonly url: string;
  /** 1 for the first delivery; a duplicate counts its own attempts from 1. */
  readonly attempt: number;
  readonly duplicate: boolean;
  /** The endpoint's HTTP status, or null when it could not be reached or timed out. */
  readonly status: number | null;
  readonly error: string | null;
  /** `delivered`, `failed` (will be retried), `gave_up` (last attempt failed), `dropped` (chaos: never sent). */
  readonly outcome: 'delivered' | 'failed' | 'gave_up' | 'dropped';
  readonly at: string;
}

interface Delivery {
  readonly event: EventRecord;
  readonly endpoint: WebhookEndpointRecord;
  readonly duplicate: boolean;
  attempt: number;
}

export class WebhookSender {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private reorderBuffer: Delivery[] = [];
  private reorderTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly deps: {
      readonly store: Store;
      readonly settings: () => WebhookSettings;
      readonly log: (line: string) => void;
      readonly random?: () => number;
    },
  ) {}

  /** Called for each new event: schedules its delivery to every endpoint that listens to it. */
  enqueue(event: EventRecord): void {
    const endpoints = [...this.deps.store.webhookEndpoints.values()].filter((e) => listensTo(e, event.type));
    const settings = this.deps.settings();
    const random = this.deps.random ?? Math.random;
    for (const endpoint of endpoints) {
      if (random() < settings.drop) {
        this.note(
          { event, endpoint, duplicate: false, attempt: 1 },
          null,
          'dropped by the drop setting',
          'dropped',
        );
        continue;
      }
      const deliveries: Delivery[] = [{ event, endpoint, duplicate: false, attempt: 1 }];
      if (random() < settings.duplicate) deliveries.push({ event, endpoint, duplicate: true, attempt: 1 });
      for (const delivery of deliveries) this.start(delivery, settings);
    }
  }

  /** Delivers an event again to one endpoint or all (`stripe events resend`). */
  resend(event: EventRecord, endpointId?: string): number {
    const endpoints = [...this.deps.store.webhookEndpoints.values()].filter(
      (e) => (endpointId === undefined || e.id === endpointId) && listensTo(e, event.type),
    );
    for (const endpoint of endpoints) this.later({ event, endpoint, duplicate: true, attempt: 1 }, 0);
    return endpoints.length;
  }

  deliveries(
    filter: {
      event_id?: string | undefined;
      type?: string | undefined;
      endpoint_id?: string | undefined;
    } = {},
  ) {
    return this.attempts.filter(
      (a) =>
        (filter.event_id === undefined || a.event_id === filter.event_id) &&
        (filter.type === undefined || a.type === filter.type) &&
        (filter.endpoint_id === undefined || a.endpoint_id === filter.endpoint_id),
    );
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.reorderTimer) clearTimeout(this.reorderTimer);
    for (const controller of this.inFlight) controller.abort();
  }

  private start(delivery: Delivery, settings: WebhookSettings): void {
    if (!settings.out_of_order) {
      this.later(delivery, settings.delay_ms);
      return;
    }
    // Held for a window, then sent newest first: a later event overtakes an earlier one.
    this.reorderBuffer.push(delivery);
    this.reorderTimer ??= setTimeout(() => {
      this.reorderTimer = undefined;
      const held = this.reorderBuffer.reverse();
      this.reorderBuffer = [];
      held.forEach((d, i) => this.later(d, settings.delay_ms + i * 20));
    }, settings.reorder_window_ms);
  }

  private later(delivery: Delivery, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const settings = this.deps.settings();
    const { event, endpoint } = delivery;
    const listening = [...this.deps.store.webhookEndpoints.values()].filter((e) =>
      listensTo(e, event.type),
    ).length;
    const payload = JSON.stringify(eventEnvelope(event, endpoint, listening), null, 2);
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), settings.timeout_ms);
    this.inFlight.add(controller);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const answer = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks) stripe-standin (test tool)',
          'stripe-signature': signatureHeader(payload, endpoint.secret, unixSeconds()),
        },
        body: payload,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = answer.status;
      await answer.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = controller.signal.aborted ? `no answer within ${settings.timeout_ms} ms` : describe(err);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    const delivered = status !== null && status >= 200 && status < 300;
    const last = delivery.attempt >= settings.max_attempts;
    this.note(delivery, status, error, delivered ? 'delivered' : last ? 'gave_up' : 'failed');
    if (delivered || last) return;
    const pause = Math.min(settings.retry_max_ms, settings.retry_base_ms * 2 ** (delivery.attempt - 1));
    delivery.attempt += 1;
    this.later(delivery, pause);
  }

  private note(
    delivery: Delivery,
    status: number | null,
    error: string | null,
    outcome: DeliveryAttempt['outcome'],
  ): void {
    this.attempts.push({
      event_id: delivery.event.id,
      type: delivery.event.type,
      endpoint_id: delivery.endpoint.id,
      url: delivery.endpoint.url,
      attempt: delivery.attempt,
      duplicate: delivery.duplicate,
      status,
      error,
      outcome,
      at: new Date().toISOString(),
    });
    if (this.attempts.length > MAX_ATTEMPTS_KEPT)
      this.attempts.splice(0, this.attempts.length - MAX_ATTEMPTS_KEPT);
    const what = status === null ? (error ?? 'not sent') : `HTTP ${status}`;
    this.deps.log(
      `webhook ${delivery.event.type} ${delivery.event.id}${delivery.duplicate ? ' (duplicate)' : ''} → ` +
        `${delivery.endpoint.url} attempt ${delivery.attempt}: ${what} (${outcome})`,
    );
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
