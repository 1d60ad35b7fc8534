/**
 * A small HTTP proxy in front of Stripe (stripe-mock) that answers PaymentIntent creates after a
 * delay, as real Stripe takes a few hundred ms: at any moment some creates are in flight, so a worker
 * SIGKILL lands mid-activity and its retry must reuse the idempotency key. Counts requests in flight.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  readonly url: string;
  /** Delayed requests not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

export async function startLatencyProxy(
  target: string,
  delayed: { readonly method: string; readonly path: string; readonly delayMs: number },
): Promise<LatencyProxy> {
  const upstream = new URL(target);
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delay = req.method === delayed.method && req.url === delayed.path ? delayed.delayMs : 0;
      if (delay > 0) inFlight += 1;
      const forward = () => {
        const upstreamReq = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
            upstreamRes.once('end', () => {
              if (delay > 0) inFlight -= 1;
            });
          },
        );
        upstreamReq.once('error', () => {
          if (delay > 0) inFlight -= 1;
          res.writeHead(502).end();
        });
        upstreamReq.end(Buffer.concat(chunks));
      };
      if (delay > 0) setTimeout(forward, delay);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
