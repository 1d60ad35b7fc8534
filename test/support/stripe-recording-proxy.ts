import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStripeRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  /** metadata[event_id] from the form-encoded body, when present. */
  readonly eventId: string | undefined;
  readonly status: number;
}

export interface StripeRecordingProxy {
  readonly url: string;
  readonly requests: RecordedStripeRequest[];
  /** Answer the next `count` requests for `pathPrefix` with this status (and Stripe error body) instead of forwarding. */
  failNext(pathPrefix: string, count: number, status: number, error?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/**
 * A recording HTTP proxy in front of stripe-mock. stripe-mock is stateless (one fixture id for every
 * PaymentIntent), so tests tell charges apart by what the proxy saw: idempotency keys and metadata.
 */
export async function startStripeRecordingProxy(target: string): Promise<StripeRecordingProxy> {
  const requests: RecordedStripeRequest[] = [];
  const faults: Array<{
    pathPrefix: string;
    remaining: number;
    status: number;
    error: Record<string, unknown>;
  }> = [];
  const upstream = new URL(target);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const record = (status: number) =>
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          idempotencyKey: header(req.headers['idempotency-key']),
          eventId: form.get('metadata[event_id]') ?? undefined,
          status,
        });
      const fault = faults.find((f) => f.remaining > 0 && (req.url ?? '').startsWith(f.pathPrefix));
      if (fault) {
        fault.remaining -= 1;
        record(fault.status);
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: fault.error }));
        return;
      }
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          record(upstreamRes.statusCode ?? 0);
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', () => {
        record(502);
        res.writeHead(502).end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (pathPrefix, count, status, error = { type: 'api_error', message: 'injected fault' }) =>
      faults.push({ pathPrefix, remaining: count, status, error }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
