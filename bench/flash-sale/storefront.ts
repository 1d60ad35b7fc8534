/**
 * The storefront of a flash sale (`--poll-storefront`): for each charge it polls GET
 * /charges/:event_id, as the README tells a storefront to after a plain 202, until the answer shows
 * the PaymentIntent's client_secret (what the customer's browser needs) or the charge no longer waits
 * for the customer; between two reads it waits the poll interval, or the answer's Retry-After when
 * that is longer (the gateway's hint while the charge waits its turn at Stripe, or its 503's). What it proves: the gateway answers from the workflow (a Temporal query), so the
 * storefront's reads spend none of Stripe's budget; the gateway's own /metrics say how many Stripe
 * calls it made (its payments_stripe_requests_total, before and after the sale), and the Stripe
 * emulator's 429 share covers every request Stripe saw.
 */
import { HttpError, jsonBody, type HttpClient } from '../http-client';
import type { PostAnswer } from '../full-path/driver';
import { AUTH } from '../full-path/driver';
import { sleep } from '../../test/support/wait';
import { round } from '../stats';

/** Statuses in which the charge waits for the customer (src/contracts/charge.ts CUSTOMER_STATUSES). */
const CUSTOMER_STATUSES = new Set(['pending', 'requires_action', 'requires_payment_method']);

export type PollOutcome = 'secret_shown' | 'ended_first' | 'gave_up' | 'not_accepted';

export interface StorefrontFigures {
  readonly poll_interval_ms: number;
  readonly charges_polled: number;
  readonly gets: number;
  /** GET answers by HTTP status (`network`/`timeout` when none came). */
  readonly answers: Record<string, number>;
  /** Charges whose GET showed the client_secret. */
  readonly secret_shown: number;
  /** Charges that stopped waiting for the customer (processing, succeeded, …) before a GET showed it. */
  readonly ended_first: number;
  /** Charges still polled when the sale's drain ended. */
  readonly gave_up: number;
  /** Charges whose POST was not accepted: nothing to read. */
  readonly not_accepted: number;
  /** Answers whose Retry-After was longer than the poll interval (the storefront waited that). */
  readonly hinted_waits: number;
  readonly gets_per_charge_mean: number;
  /** Stripe calls the gateway process made during the sale (its payments_stripe_requests_total); null: unread. */
  readonly gateway_stripe_requests: number | null;
  /**
   * Transitional client_secret reads the gateway asked workflows for (payments_transitional_charge_reads_total,
   * each one a retrieve on the worker's rate-limited Stripe queue); 0 for charges started by this code.
   */
  readonly gateway_transitional_reads: number | null;
}

/** The sum of a counter's samples in Prometheus text (every label set), or 0 when it is absent. */
export function counterTotal(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)/.exec(line);
    if (match?.[1] === name) total += Number(match[3]);
  }
  return total;
}

/** The gateway's Stripe calls and transitional reads so far, from its /metrics; undefined if unread. */
export async function gatewayStripeCounters(
  http: HttpClient,
  gatewayUrl: string,
): Promise<{ readonly stripe: number; readonly transitional: number } | undefined> {
  try {
    const res = await http.request('GET', `${gatewayUrl}/metrics`);
    if (res.status !== 200) return undefined;
    return {
      stripe: counterTotal(res.body, 'payments_stripe_requests_total'),
      transitional: counterTotal(res.body, 'payments_transitional_charge_reads_total'),
    };
  } catch {
    return undefined;
  }
}

export class Storefront {
  private readonly outcomes: PollOutcome[] = [];
  private readonly answers: Record<string, number> = {};
  private gets = 0;
  private hintedWaits = 0;
  private expired = false;

  constructor(
    private readonly http: HttpClient,
    private readonly gatewayUrl: string,
    readonly intervalMs: number,
  ) {}

  /**
   * Polls one charge until its client_secret shows or it no longer waits for the customer; with
   * `postAnswered`, as a storefront does: only once the POST was accepted, first after its Retry-After.
   */
  async poll(eventId: string, postAnswered?: Promise<PostAnswer>): Promise<PollOutcome> {
    const outcome = await this.pollUntilDone(eventId, postAnswered);
    this.outcomes.push(outcome);
    return outcome;
  }

  private async pollUntilDone(eventId: string, postAnswered?: Promise<PostAnswer>): Promise<PollOutcome> {
    if (postAnswered !== undefined) {
      const post = await postAnswered;
      if (!post.accepted) return 'not_accepted';
      await this.waitBeforeNextRead(post.retryAfterSeconds);
    }
    while (!this.expired) {
      const { json: answer, retryAfterSeconds } = await this.get(eventId);
      if (answer !== undefined) {
        if (typeof answer['client_secret'] === 'string') return 'secret_shown';
        if (typeof answer['status'] === 'string' && !CUSTOMER_STATUSES.has(answer['status']))
          return 'ended_first';
      }
      await this.waitBeforeNextRead(retryAfterSeconds);
    }
    return 'gave_up';
  }

  /** The poll interval, or the answer's Retry-After when that is longer. */
  private async waitBeforeNextRead(retryAfterSeconds: number | undefined): Promise<void> {
    const hintedMs = (retryAfterSeconds ?? 0) * 1000;
    if (hintedMs > this.intervalMs) this.hintedWaits++;
    await sleep(Math.max(this.intervalMs, hintedMs));
  }

  /**
   * One GET: its JSON when 200, else undefined (404 before the POST landed, 503, no answer); and the
   * answer's Retry-After.
   */
  private async get(
    eventId: string,
  ): Promise<{ json?: Record<string, unknown> | undefined; retryAfterSeconds?: number | undefined }> {
    this.gets++;
    try {
      const res = await this.http.request('GET', `${this.gatewayUrl}/charges/${eventId}`, { headers: AUTH });
      this.count(String(res.status));
      return {
        json: res.status === 200 ? jsonBody(res) : undefined,
        retryAfterSeconds: res.retryAfterSeconds,
      };
    } catch (err) {
      this.count(err instanceof HttpError ? err.kind : 'error');
      return {};
    }
  }

  private count(key: string): void {
    this.answers[key] = (this.answers[key] ?? 0) + 1;
  }

  /** The drain is over: every poll still running stops after its current GET. */
  expire(): void {
    this.expired = true;
  }

  figures(gateway: {
    readonly before: Awaited<ReturnType<typeof gatewayStripeCounters>>;
    readonly after: Awaited<ReturnType<typeof gatewayStripeCounters>>;
  }): StorefrontFigures {
    const n = (o: PollOutcome) => this.outcomes.filter((x) => x === o).length;
    const { before, after } = gateway;
    const known = before !== undefined && after !== undefined;
    return {
      poll_interval_ms: this.intervalMs,
      charges_polled: this.outcomes.length,
      gets: this.gets,
      answers: { ...this.answers },
      secret_shown: n('secret_shown'),
      ended_first: n('ended_first'),
      gave_up: n('gave_up'),
      not_accepted: n('not_accepted'),
      hinted_waits: this.hintedWaits,
      gets_per_charge_mean: this.outcomes.length === 0 ? 0 : round(this.gets / this.outcomes.length, 2),
      gateway_stripe_requests: known ? after.stripe - before.stripe : null,
      gateway_transitional_reads: known ? after.transitional - before.transitional : null,
    };
  }
}
