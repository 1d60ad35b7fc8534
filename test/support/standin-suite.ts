/**
 * One suite's service against the Stripe test-mode stand-in on the real stack: the stand-in (in front
 * of the stack's stripe-mock), the service pointed at it, a webhook relay to the service's receiver
 * registered as the stand-in's endpoint; started in the suite's `before`, stopped in its `after`.
 * And the caller's reads every such suite makes: a charge as GET /charges shows it, a POST, a charge
 * started with unique ids, waiting for a status.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { ChargeRecord } from '../../src/contracts/charge';
import type { StandinOptions } from '../../tools/stripe-standin/server';
import { localDataConverter } from './codec';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from './service';
import { stack } from './stack';
import { startTestStandin, startWebhookRelay, type TestStandin, type WebhookRelay } from './stripe-standin';
import { waitUntil } from './wait';

/** GET /charges/:event_id's answer, with the fields these suites read beside the record's. */
export type ChargeView = ChargeRecord & {
  next_action?: { type?: string } | null;
  client_secret?: string | null;
  refunded_amount?: number;
};

export interface StandinSuite {
  readonly standin: TestStandin;
  readonly relay: WebhookRelay;
  readonly service: TestService;
  /** A Temporal client with the service's data converter (to await, describe or list workflows). */
  readonly temporal: Client;
  /** POST with the charge API's token; a JSON body when given. */
  readonly post: (
    path: string,
    body?: object,
  ) => Promise<{ status: number; json: ChargeView & Record<string, unknown> }>;
  /** The charge as GET /charges/:event_id answers it. */
  readonly charge: (eventId: string) => Promise<ChargeView>;
  /** POST /charge with unique ids (`prefix`-uuid) and these fields over the defaults; asserts the 202. */
  readonly newCharge: (fields?: object, prefix?: string) => Promise<string>;
  /** Waits until GET shows the charge in `status`, and returns that answer. */
  readonly statusIs: (eventId: string, status: string, timeoutMs?: number) => Promise<ChargeView>;
}

export function standinServiceForSuite(
  options: {
    /** The stand-in's settings (webhook retries, limits, …). */
    readonly standin?: StandinOptions['settings'];
    /**
     * The service's environment over the test defaults (STRIPE_API_BASE is the stand-in's); a function
     * is read when the service starts (after the suite's earlier `before` hooks).
     */
    readonly env?: Record<string, string> | (() => Record<string, string>);
    /** What POST /charge sends unless a case says otherwise. */
    readonly chargeDefaults?: { readonly amount: number; readonly currency: string };
  } = {},
): StandinSuite {
  let running:
    { standin: TestStandin; relay: WebhookRelay; service: TestService; temporal: Client } | undefined;
  before(async () => {
    const standin = await startTestStandin(options.standin ?? {}, { stripeMock: true });
    const env = typeof options.env === 'function' ? options.env() : options.env;
    const service = await startTestService({ STRIPE_API_BASE: standin.url, ...env });
    const relay = await startWebhookRelay(`${service.url}/stripe/webhook`);
    await standin.control.registerWebhookEndpoint({ url: relay.url, secret: TEST_WEBHOOK_SECRET });
    const temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
    running = { standin, relay, service, temporal };
  });
  after(async () => {
    await running?.temporal.connection.close();
    await running?.service.stop();
    await running?.relay.close();
    await running?.standin.close();
  });
  const started = () => {
    if (running === undefined)
      throw new Error("the stand-in and the service start in the suite's before hook");
    return running;
  };
  const defaults = options.chargeDefaults ?? { amount: 5000, currency: 'usd' };

  const suite: StandinSuite = {
    get standin() {
      return started().standin;
    },
    get relay() {
      return started().relay;
    },
    get service() {
      return started().service;
    },
    get temporal() {
      return started().temporal;
    },
    post: async (path, body) => {
      const res = await fetch(`${started().service.url}${path}`, {
        method: 'POST',
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...AUTH_HEADER },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json()) as ChargeView & Record<string, unknown> };
    },
    charge: async (eventId) => {
      const res = await fetch(`${started().service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
      return (await res.json()) as ChargeView;
    },
    newCharge: async (fields = {}, prefix = 'evt-standin') => {
      const eventId = `${prefix}-${randomUUID()}`;
      const body = { event_id: eventId, order_id: `order-${eventId}`, ...defaults, ...fields };
      assert.equal((await suite.post('/charge', body)).status, 202);
      return eventId;
    },
    statusIs: (eventId, status, timeoutMs = 45_000) =>
      waitUntil(
        async () => {
          const read = await suite.charge(eventId);
          return read.status === status ? read : undefined;
        },
        `${eventId} to be ${status}`,
        timeoutMs,
      ),
  };
  return suite;
}
