/**
 * A typed client of the stand-in's control API (`/_standin/…`), for tests and `npm run webhook`:
 * act as the customer or the bank, register webhook endpoints, change settings, read what happened.
 * The stand-in is a local test tool; none of this exists at Stripe.
 */
import type { FaultSpec } from './http/faults';
import type { RecordedRequest } from './http/recorder';
import type { StandinSettings, WebhookSettings } from './settings';
import type { EventRecord } from './state/model';
import type { DeliveryAttempt } from './webhooks/sender';

export type StripeObject = Record<string, unknown> & { readonly id: string };

/** A PaymentIntent as the stand-in keeps it, with its charges, refunds and disputes. */
export interface PaymentIntentReport extends StripeObject {
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Record<string, string>;
  readonly latest_charge: string | null;
  readonly charges: StripeObject[];
  readonly refunds: Array<
    StripeObject & { amount: number; status: string; metadata: Record<string, string> }
  >;
  /** The sum of the refunds that have not failed. */
  readonly refunded_amount: number;
  readonly disputes: StripeObject[];
}

export interface ConfirmReport {
  readonly payment_intent: StripeObject & { status: string };
  readonly decline: { code: string; decline_code?: string; message: string } | null;
}

export type SettingsPatch = Partial<Omit<StandinSettings, 'webhooks'>> & {
  webhooks?: Partial<WebhookSettings>;
};

export class StandinControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'StandinControlError';
  }
}

export class StandinControl {
  constructor(readonly baseUrl: string) {}

  /** Whether `baseUrl` is a stand-in (and not stripe-mock or Stripe itself). */
  static async isStandin(baseUrl: string): Promise<boolean> {
    try {
      const answer = await fetch(`${baseUrl}/_standin`, { signal: AbortSignal.timeout(2000) });
      return answer.ok && ((await answer.json()) as { name?: unknown }).name === 'stripe-standin';
    } catch {
      return false;
    }
  }

  health(): Promise<{ ok: boolean }> {
    return this.call('GET', '/health');
  }

  settings(): Promise<StandinSettings> {
    return this.call('GET', '/config');
  }

  configure(patch: SettingsPatch): Promise<StandinSettings> {
    return this.call('POST', '/config', patch);
  }

  /** Registers (or updates, by URL) a webhook endpoint signed with `secret`. */
  registerWebhookEndpoint(endpoint: {
    url: string;
    secret: string;
    api_version?: string;
    enabled_events?: string[];
  }): Promise<{ id: string; url: string }> {
    return this.call('POST', '/webhook_endpoints', endpoint);
  }

  deleteWebhookEndpoint(id: string): Promise<{ deleted: boolean }> {
    return this.call('DELETE', `/webhook_endpoints/${id}`);
  }

  paymentIntentsFor(eventId: string): Promise<PaymentIntentReport[]> {
    return this.call<{ data: PaymentIntentReport[] }>(
      'GET',
      `/payment_intents?event_id=${encodeURIComponent(eventId)}`,
    ).then((r) => r.data);
  }

  paymentIntent(id: string): Promise<PaymentIntentReport> {
    return this.call('GET', `/payment_intents/${id}`);
  }

  /** The customer confirms in the browser with a test payment method (what Stripe.js does). */
  confirm(id: string, paymentMethod: string, returnUrl?: string): Promise<ConfirmReport> {
    return this.call('POST', `/payment_intents/${id}/confirm`, {
      payment_method: paymentMethod,
      ...(returnUrl ? { return_url: returnUrl } : {}),
    });
  }

  /** The customer finishes 3-D Secure, fails it, or walks away. */
  authenticate(id: string, result: 'complete' | 'fail' | 'abandon'): Promise<ConfirmReport> {
    return this.call('POST', `/payment_intents/${id}/3ds`, { result });
  }

  expireAuthorization(id: string): Promise<StripeObject> {
    return this.call('POST', `/payment_intents/${id}/expire_authorization`);
  }

  /** The bank opens a dispute on the PaymentIntent's charge. */
  dispute(
    id: string,
    options: { reason?: string; amount?: number; inquiry?: boolean } = {},
  ): Promise<StripeObject> {
    return this.call('POST', `/payment_intents/${id}/dispute`, options);
  }

  closeDispute(id: string, status: 'won' | 'lost'): Promise<StripeObject> {
    return this.call('POST', `/disputes/${id}/close`, { status });
  }

  requests(
    filter: {
      after?: number;
      method?: string;
      path?: string;
      event_id?: string;
      idempotency_key?: string;
    } = {},
  ) {
    return this.call<{
      last_seq: number;
      /** Requests with this method and path prefix received and not yet answered. */
      in_flight: number;
      data: RecordedRequest[];
    }>('GET', `/requests?${query(filter)}`);
  }

  /** API requests with this method and path prefix received and not yet answered. */
  async inFlight(filter: { method?: string; path?: string } = {}): Promise<number> {
    // `after` past every request: only the count, none of the recorded requests.
    return (await this.requests({ ...filter, after: Number.MAX_SAFE_INTEGER })).in_flight;
  }

  events(
    filter: { type?: string; payment_intent?: string; object_id?: string } = {},
  ): Promise<EventRecord[]> {
    return this.call<{ data: EventRecord[] }>('GET', `/events?${query(filter)}`).then((r) => r.data);
  }

  resendEvent(id: string, endpointId?: string): Promise<{ endpoints: number }> {
    return this.call('POST', `/events/${id}/resend`, endpointId ? { endpoint_id: endpointId } : {});
  }

  webhookDeliveries(
    filter: { event_id?: string; type?: string; endpoint_id?: string } = {},
  ): Promise<DeliveryAttempt[]> {
    return this.call<{ data: DeliveryAttempt[] }>('GET', `/webhook_deliveries?${query(filter)}`).then(
      (r) => r.data,
    );
  }

  injectFault(spec: Partial<FaultSpec> & { path: string }): Promise<FaultSpec> {
    return this.call('POST', '/faults', spec);
  }

  /** Lets the requests held by `hold` faults go on; how many there were. */
  releaseHeld(): Promise<{ released: number }> {
    return this.call('POST', '/faults/release');
  }

  clearFaults(): Promise<unknown> {
    return this.call('DELETE', '/faults');
  }

  /** Forgets idempotency keys as if their 24 hours had passed (all, or the named ones). */
  expireIdempotencyKeys(keys?: string[]): Promise<{ expired: number }> {
    return this.call('POST', '/idempotency_keys/expire', keys ? { keys } : {});
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await fetch(`${this.baseUrl}/_standin${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const json = (await answer.json()) as T & { error?: { message?: string } };
    if (!answer.ok) {
      throw new StandinControlError(
        answer.status,
        `${method} /_standin${path}: ${answer.status} ${json.error?.message ?? ''}`,
      );
    }
    return json;
  }
}

function query(filter: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, String(value));
  return params.toString();
}
