/**
 * Drives one charge the way production does: the dispatcher POSTs /charge, Stripe (here: the bench's
 * Stripe stand-in in front of stripe-mock) creates the PaymentIntent, Stripe delivers a signed
 * payment_intent.succeeded webhook, and the worker publishes to payments.completed.
 */
import { epochOf, now } from '../clock';
import { HttpError, jsonBody, type HttpClient } from '../http-client';
import type { CompletionWatcher } from '../kafka-completions';
import { BENCH_API_TOKEN, BENCH_WEBHOOK_SECRET } from '../service';
import type { PiLookup } from '../args';
import type { Waiters } from '../waiters';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { sleep } from '../../test/support/wait';

export interface ChargeTimings {
  /** POST /charge response time, from the intended send time. */
  readonly postMs: number;
  /** From the POST's answer until the bench knew the PaymentIntent id (0 when the answer had it). */
  readonly piWaitMs: number;
  /** The POST's answer was the early one (201 with the PaymentIntent and its client_secret). */
  readonly early: boolean;
  /** POST /stripe/webhook response time, from its actual send. */
  readonly webhookMs: number;
  /** Intended send time to the bench reading the payments.completed record. */
  readonly e2eMs: number;
  /** Intended send time to the record's own timestamp (when the worker produced it). */
  readonly e2eRecordMs: number;
}

export type ChargeOutcome =
  | { readonly ok: true; readonly timings: ChargeTimings; readonly body: string; readonly eventId: string }
  | { readonly ok: false; readonly eventId: string; readonly error: string; readonly postMs?: number };

export interface DriverDeps {
  readonly http: HttpClient;
  readonly gatewayUrl: string;
  readonly webhookUrl: string;
  readonly piLookup: PiLookup;
  /** Filled by the bench's Stripe stand-in (piLookup = proxy). */
  readonly paymentIntents: Waiters<string>;
  readonly completions: CompletionWatcher;
}

export const AUTH = { authorization: `Bearer ${BENCH_API_TOKEN}` };
const JSON_AUTH = { 'content-type': 'application/json', ...AUTH };

export function chargeBody(eventId: string): string {
  return JSON.stringify({
    event_id: eventId,
    order_id: `order-${eventId}`,
    amount: 1999,
    currency: 'usd',
    metadata: { source: 'bench' },
  });
}

function errorKind(prefix: string, err: unknown): string {
  return `${prefix}_${err instanceof HttpError ? err.kind : 'error'}`;
}

/** How the POST of a charge was answered: accepted (2xx) with its Retry-After, or not. */
export interface PostAnswer {
  readonly accepted: boolean;
  readonly retryAfterSeconds?: number | undefined;
}

export class ChargeDriver {
  /** Set when a step's time is up: pending lookups give up. */
  private expired = new Set<string>();

  constructor(private readonly deps: DriverDeps) {}

  /** Gives up on every charge of `prefix` still waiting for its PaymentIntent or Kafka record. */
  expire(prefix: string): void {
    this.expired.add(prefix);
    this.deps.paymentIntents.expire(prefix);
    this.deps.completions.completions.expire(prefix);
  }

  /** Charges of `prefix` whose outcome record has been read so far (also after they were given up on). */
  completedCount(prefix: string): number {
    return this.deps.completions.completions.count(prefix);
  }

  /**
   * One charge. With `preferWait` > 0 its POST asks for the early answer (`Prefer: wait=N`), as a
   * storefront's backend would: a 201 carries the PaymentIntent and its client_secret, so no lookup
   * follows; a 202 (not in time) is still a started charge, looked up as usual.
   */
  /**
   * `customerReady`: with a storefront polling the charge, the customer pays (the signed webhook is
   * sent) only once it has settled, as a customer can pay only once the storefront has the secret.
   * `onPostAnswer`: told once the POST is answered, so that storefront starts reading only then.
   */
  async drive(
    eventId: string,
    prefix: string,
    intendedMs: number,
    preferWait = 0,
    customerReady?: Promise<unknown>,
    onPostAnswer?: (answer: PostAnswer) => void,
  ): Promise<ChargeOutcome> {
    const { http, gatewayUrl, webhookUrl } = this.deps;
    const body = chargeBody(eventId);
    const headers = preferWait > 0 ? { ...JSON_AUTH, prefer: `wait=${preferWait}` } : JSON_AUTH;
    let postMs: number;
    let answeredWith: string | undefined;
    try {
      const res = await http.request('POST', `${gatewayUrl}/charge`, { headers, body });
      postMs = now() - intendedMs;
      const early = preferWait > 0 && res.status === 201;
      onPostAnswer?.(
        res.status === 202 || early
          ? { accepted: true, retryAfterSeconds: res.retryAfterSeconds }
          : { accepted: false },
      );
      if (res.status !== 202 && !early) return { ok: false, eventId, error: `post_${res.status}`, postMs };
      if (early) {
        const answer = jsonBody(res);
        const id = answer?.['payment_intent_id'];
        if (typeof id !== 'string' || typeof answer?.['client_secret'] !== 'string')
          return { ok: false, eventId, error: 'early_answer_without_client_secret', postMs };
        answeredWith = id;
      }
    } catch (err) {
      onPostAnswer?.({ accepted: false });
      return { ok: false, eventId, error: errorKind('post', err) };
    }
    const answered = now();

    const paymentIntentId = answeredWith ?? (await this.paymentIntentOf(eventId, prefix));
    if (paymentIntentId === undefined)
      return { ok: false, eventId, error: 'incomplete_no_payment_intent', postMs };
    const piWaitMs = now() - answered;
    if (customerReady !== undefined) await customerReady;

    const payload = paymentIntentEvent({ type: 'payment_intent.succeeded', eventId, paymentIntentId });
    const sentHook = now();
    try {
      const hook = await http.request('POST', `${webhookUrl}/stripe/webhook`, {
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signatureFor(payload, BENCH_WEBHOOK_SECRET),
        },
        body: payload,
      });
      if (hook.status !== 200) return { ok: false, eventId, error: `webhook_${hook.status}`, postMs };
      const ignored = jsonBody(hook)?.['ignored'];
      if (typeof ignored === 'string')
        return { ok: false, eventId, error: `webhook_ignored_${ignored}`, postMs };
    } catch (err) {
      return { ok: false, eventId, error: errorKind('webhook', err), postMs };
    }
    const webhookMs = now() - sentHook;

    const completion = await this.deps.completions.completions.wait(eventId);
    if (completion === undefined) return { ok: false, eventId, error: 'incomplete_no_kafka_record', postMs };
    if (completion.topic !== 'payments.completed')
      return { ok: false, eventId, error: `wrong_topic_${completion.topic}`, postMs };
    const intendedEpoch = epochOf(intendedMs);
    return {
      ok: true,
      eventId,
      body,
      timings: {
        postMs,
        piWaitMs,
        early: answeredWith !== undefined,
        webhookMs,
        e2eMs: completion.receivedMs - intendedEpoch,
        e2eRecordMs: completion.recordTimestampMs - intendedEpoch,
      },
    };
  }

  private async paymentIntentOf(eventId: string, prefix: string): Promise<string | undefined> {
    if (this.deps.piLookup === 'proxy') return this.deps.paymentIntents.wait(eventId);
    // GET /charges/:id answers from a workflow query; poll it like a client without a proxy would.
    while (!this.expired.has(prefix)) {
      try {
        const res = await this.deps.http.request('GET', `${this.deps.gatewayUrl}/charges/${eventId}`, {
          headers: AUTH,
        });
        const id = res.status === 200 ? jsonBody(res)?.['payment_intent_id'] : undefined;
        if (typeof id === 'string') return id;
      } catch {
        // keep polling until the step gives up
      }
      await sleep(50);
    }
    return undefined;
  }
}
