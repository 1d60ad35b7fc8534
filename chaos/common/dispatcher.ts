/**
 * The order dispatcher's side of POST /charge and GET /charges/:event_id, behaving as a real one:
 * retry on 503 and connection errors (and any other 5xx, which is also recorded as a finding) with
 * backoff until a 2xx; never retry a 4xx. Bounded by the run's deadline.
 */
import type { ChargeRecord } from '../../src/contracts/charge';
import { sleep } from '../../test/support/wait';
import { backoffMs, HttpTally } from './http-tally';
import type { Violations } from './violations';

export interface ChargeBody {
  readonly event_id: string;
  readonly order_id: string;
  readonly amount: number;
  readonly currency: string;
  /** Set for charges planned to fail: a server-confirmed decline ends a charge (a browser one stays open). */
  readonly payment_method?: string;
}

export interface ChargeAnswer {
  readonly status: 200 | 202;
  readonly runId: string;
  readonly duplicate: boolean;
}

const REQUEST_TIMEOUT_MS = 15_000;

export class Dispatcher {
  readonly posts = new HttpTally();
  readonly polls = new HttpTally();

  constructor(
    private readonly gatewayUrl: () => string,
    private readonly token: string,
    private readonly deadline: number,
    private readonly violations: Violations,
  ) {}

  /** POSTs until a 2xx; undefined when the charge was refused (4xx) or the deadline passed. */
  async postCharge(body: ChargeBody): Promise<ChargeAnswer | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.posts.retries += 1;
      let retryAfter: number | undefined;
      try {
        const res = await fetch(`${this.gatewayUrl()}/charge`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        this.posts.record(res.status);
        const text = await res.text();
        if (res.status === 200 || res.status === 202) {
          const answer = JSON.parse(text) as { run_id: string; duplicate: boolean };
          return { status: res.status, runId: answer.run_id, duplicate: answer.duplicate };
        }
        if (res.status >= 400 && res.status < 500) {
          this.violations.add(`POST /charge answered ${res.status}`, text.slice(0, 300), body.event_id);
          return undefined;
        }
        if (res.status !== 503) {
          this.violations.add(`POST /charge answered ${res.status}`, text.slice(0, 300), body.event_id);
        }
        retryAfter = Number(res.headers.get('retry-after') ?? undefined);
      } catch {
        this.posts.record('conn');
      }
      if (!(await this.pause(attempt, retryAfter))) {
        this.violations.add('POST /charge gave up at the deadline', body.event_id, body.event_id);
        return undefined;
      }
    }
  }

  /** Reads the charge until Stripe's PaymentIntent id is on it (the webhook needs it). */
  async waitForPaymentIntent(eventId: string): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.gatewayUrl()}/charges/${encodeURIComponent(eventId)}`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        this.polls.record(res.status);
        const text = await res.text();
        if (res.status === 200) {
          const record = JSON.parse(text) as ChargeRecord;
          if (record.payment_intent_id !== null) return record.payment_intent_id;
        } else if (res.status !== 503) {
          this.violations.add(`GET /charges/:id answered ${res.status}`, text.slice(0, 300), eventId);
        }
      } catch {
        this.polls.record('conn');
      }
      // Polling, not retrying: a steady, modest interval.
      if (!(await this.pause(Math.min(attempt, 3), undefined, 250))) {
        this.violations.add('no PaymentIntent id on the charge by the deadline', eventId, eventId);
        return undefined;
      }
    }
  }

  private async pause(
    attempt: number,
    retryAfterSeconds: number | undefined,
    baseMs = 100,
  ): Promise<boolean> {
    const wait = backoffMs(attempt, baseMs, 5_000, retryAfterSeconds);
    if (Date.now() + wait > this.deadline) return false;
    await sleep(wait);
    return true;
  }
}
