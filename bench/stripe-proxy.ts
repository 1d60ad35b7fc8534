/**
 * A thin recording proxy in front of stripe-mock, playing the part of Stripe that knows which
 * PaymentIntent it created for which charge: stripe-mock returns a fresh PaymentIntent id per create,
 * and the webhook must name that id. Seeing it here costs one local hop instead of polling
 * GET /charges/:id (a Temporal query per poll) and lets the webhook go out as soon as Stripe would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startStripeProxy(
  target: string,
  onPaymentIntent: (eventId: string, paymentIntentId: string) => void,
): Promise<StripeProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
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
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
