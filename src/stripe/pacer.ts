/**
 * Spaces this process's Stripe requests at least 1/rate seconds apart, in the order they ask.
 *
 * Why, when the Stripe task queue already limits the fleet to STRIPE_MAX_REQUESTS_PER_SECOND:
 * Temporal's dispatcher is a token bucket that refills while the queue hands out less than its rate
 * (an idle queue, or a worker whose CPU fell behind), and then hands out about twice the rate in one
 * second. Stripe's limiter counts per second, so that burst comes back as 429s (9 % of a flash sale's
 * requests before this). Paced here at its share of the rate (fleet-pace.ts sets it), the fleet
 * never exceeds the rate in any second; the queue's limit still keeps its average at it.
 */
import type Stripe from 'stripe';

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

export interface Pacer {
  /** Resolves when the caller may send its request: its slot, reserved in the order of the calls. */
  slot(): Promise<void>;
}

export interface AdjustablePacer extends Pacer {
  /** Slots a second from the next reservation on (a worker's share of the fleet's rate changes). */
  setRate(perSecond: number): void;
  readonly ratePerSecond: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function checkedRate(perSecond: number): number {
  if (!(perSecond > 0) || !Number.isFinite(perSecond))
    throw new Error(`pacer: rate must be a positive number, got ${perSecond}`);
  return perSecond;
}

/** A pacer of `ratePerSecond` slots a second, none two closer than 1/rate s; the first is now. */
export function createPacer(ratePerSecond: number, clock: Clock = SYSTEM_CLOCK): AdjustablePacer {
  let rate = checkedRate(ratePerSecond);
  let nextFree = -Infinity;
  return {
    get ratePerSecond() {
      return rate;
    },
    setRate(perSecond) {
      rate = checkedRate(perSecond);
    },
    async slot() {
      const now = clock.now();
      // An idle pacer keeps no credit: a slot is never earlier than now, so no burst follows a pause.
      const at = Math.max(now, nextFree);
      nextFree = at + 1000 / rate;
      if (at > now) await clock.sleep(at - now);
    },
  };
}

/** Stripe's HTTP client with every request sent in its pacer slot. */
export function pacedStripeHttpClient(pacer: Pacer, inner: HttpClient): HttpClient {
  return {
    getClientName: () => inner.getClientName(),
    async makeRequest(host, port, path, method, headers, requestData, protocol, timeout) {
      await pacer.slot();
      return inner.makeRequest(host, port, path, method, headers, requestData, protocol, timeout);
    },
  };
}
