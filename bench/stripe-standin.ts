/**
 * The bench's Stripe: a private Stripe test-mode stand-in (tools/stripe-standin, a test tool) in front
 * of the stack's stripe-mock, the same one the tests and the chaos run use. It plays the parts of
 * Stripe that stripe-mock does not: it tells the bench which PaymentIntent it created for which
 * charge (its `payment_intent.created` webhook to a bench endpoint, instead of polling
 * GET /charges/:id, a Temporal query per poll), and, during a flash sale, Stripe's rate limit (429
 * above it); its recorder gives the sale's requests, accepted and refused, afterwards.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { StandinControl } from '../tools/stripe-standin/control-client';
import { startStandin } from '../tools/stripe-standin/server';
import { monotonicOf } from './clock';
import type { StripeTraffic } from './stripe-limit';

export interface BenchStripe {
  readonly url: string;
  /** From now on, refuses requests above `limitPerSecond` (null: no limit) until endSale(). */
  beginSale(limitPerSecond: number | null): Promise<void>;
  /** The requests Stripe saw since beginSale, as monotonic timestamps (when each was answered). */
  saleTraffic(): Promise<StripeTraffic>;
  /** Back to no limit. */
  endSale(): Promise<void>;
  close(): Promise<void>;
}

/** A webhook endpoint of the bench's own: only `payment_intent.created`, read for its event_id. */
async function startCreatedEndpoint(
  onPaymentIntent: (eventId: string, paymentIntentId: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          data?: { object?: { id?: unknown; metadata?: { event_id?: unknown } } };
        };
        const pi = event.data?.object;
        if (typeof pi?.id === 'string' && typeof pi.metadata?.event_id === 'string') {
          onPaymentIntent(pi.metadata.event_id, pi.id);
        }
      } catch {
        // not an event: nothing to learn from it
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/created`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startBenchStripe(args: {
  stripeMock: string;
  logFile: string;
  onPaymentIntent: (eventId: string, paymentIntentId: string) => void;
}): Promise<BenchStripe> {
  fs.mkdirSync(path.dirname(args.logFile), { recursive: true });
  const running = await startStandin({
    upstream: args.stripeMock,
    // Stripe's limit only during a flash sale; deliveries never retried for long (a local endpoint).
    settings: { rate_limit_per_second: null },
    log: (line) => fs.appendFileSync(args.logFile, `${new Date().toISOString()} ${line}\n`),
  });
  const control = new StandinControl(running.url);
  const endpoint = await startCreatedEndpoint(args.onPaymentIntent);
  await control.registerWebhookEndpoint({
    url: endpoint.url,
    secret: 'whsec_bench_created_endpoint',
    enabled_events: ['payment_intent.created'],
  });
  let saleSince = 0;
  const lastSeq = async () => (await control.requests({ after: Number.MAX_SAFE_INTEGER })).last_seq;
  return {
    url: running.url,
    async beginSale(limitPerSecond) {
      saleSince = await lastSeq();
      await control.configure({ rate_limit_per_second: limitPerSecond });
    },
    async saleTraffic() {
      const { rate_limit_per_second: limitPerSecond } = await control.settings();
      const { data } = await control.requests({ after: saleSince });
      const traffic: StripeTraffic = { limitPerSecond, arrivals: [], accepted: [], refused: [] };
      for (const request of data) {
        const at = monotonicOf(Date.parse(request.at));
        traffic.arrivals.push(at);
        (request.refused_by === 'rate_limit' ? traffic.refused : traffic.accepted).push(at);
      }
      // Recorded in the order answered; the windows count arrivals in the order they came.
      for (const times of [traffic.arrivals, traffic.accepted, traffic.refused]) times.sort((a, b) => a - b);
      return traffic;
    },
    async endSale() {
      await control.configure({ rate_limit_per_second: null });
    },
    close: async () => {
      await running.close();
      await endpoint.close();
    },
  };
}
