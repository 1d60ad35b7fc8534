/**
 * A thin recording proxy in front of stripe-mock, playing the parts of Stripe that stripe-mock does
 * not: it knows which PaymentIntent it created for which charge (stripe-mock returns a fresh id per
 * create, and the webhook must name that id; seeing it here costs one local hop instead of polling
 * GET /charges/:id, a Temporal query per poll), and, during a flash sale, Stripe's rate limit
 * (stripe-limit.ts): above it, 429 with Stripe's error body instead of forwarding.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './clock';
import { SlidingWindowLimit, rateLimitErrorBody, type StripeTraffic } from './stripe-limit';

export interface StripeProxy {
  readonly url: string;
  /**
   * From now on, refuses requests above `limitPerSecond` (null: forwards all) and records every
   * request until endSale(); the returned traffic fills as requests arrive.
   */
  beginSale(limitPerSecond: number | null): StripeTraffic;
  /** Back to forwarding everything, unrecorded. */
  endSale(): void;
  close(): Promise<void>;
}

export async function startStripeProxy(
  target: string,
  onPaymentIntent: (eventId: string, paymentIntentId: string) => void,
): Promise<StripeProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let sale: { traffic: StripeTraffic; limit: SlidingWindowLimit | null } | null = null;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (sale) {
        const at = now();
        sale.traffic.arrivals.push(at);
        if (sale.limit && !sale.limit.admit(at)) {
          sale.traffic.refused.push(at);
          const body = rateLimitErrorBody(sale.traffic.limitPerSecond ?? 0);
          res.writeHead(429, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
          return;
        }
        sale.traffic.accepted.push(at);
      }
      const body = Buffer.concat(chunks);
      const isCreate = req.method === 'POST' && (req.url ?? '').split('?')[0] === '/v1/payment_intents';
      const eventId = isCreate ? new URLSearchParams(body.toString('utf8')).get('metadata[event_id]') : null;
      const forward = http.request(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const payload = Buffer.concat(parts);
            if (eventId !== null && answer.statusCode === 200) {
              try {
                const id = (JSON.parse(payload.toString('utf8')) as { id?: unknown }).id;
                if (typeof id === 'string') onPaymentIntent(eventId, id);
              } catch {
                // not JSON: nothing to record
              }
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(payload);
          });
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: `bench proxy: ${err.message}` } }));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    beginSale(limitPerSecond) {
      const traffic: StripeTraffic = { limitPerSecond, arrivals: [], accepted: [], refused: [] };
      sale = { traffic, limit: limitPerSecond === null ? null : new SlidingWindowLimit(limitPerSecond) };
      return traffic;
    },
    endSale() {
      sale = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
