import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStripeRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  /** metadata[event_id] from the form-encoded body, when present. */
  readonly eventId: string | undefined;
  /** The form-encoded body's parameters (Stripe's bracket names, e.g. `metadata[order_id]`). */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
}

/** Which requests a fault or a rewrite applies to: a path prefix, or a method and a path pattern. */
export type RequestMatch = string | { readonly method?: string; readonly path: RegExp };

/** Turns stripe-mock's JSON answer into the one the scenario needs (knowing the request it answers). */
export type StripeAnswerRewrite = (
  body: Record<string, unknown>,
  request: {
    readonly method: string;
    readonly path: string;
    readonly params: Readonly<Record<string, string>>;
  },
) => Record<string, unknown>;

export interface StripeRecordingProxy {
  readonly url: string;
  readonly requests: RecordedStripeRequest[];
  /** Answer the next `count` matching requests with this status (and Stripe error body) instead of forwarding. */
  failNext(match: RequestMatch, count: number, status: number, error?: Record<string, unknown>): void;
  /**
   * Forward the next `count` matching requests and pass stripe-mock's JSON answer through `rewrite`:
   * the states stripe-mock (stateless, one fixture per object) never answers, e.g. a PaymentIntent
   * that has succeeded, or a search that finds our metadata.
   */
  rewriteNext(match: RequestMatch, count: number, rewrite: StripeAnswerRewrite): void;
  /**
   * Keep the next matching request waiting (not forwarded) until `release` is called; `held`
   * resolves once it has arrived. A Stripe that answers slowly, for a test that must act meanwhile.
   */
  holdNext(match: RequestMatch): { readonly held: Promise<void>; release(): void };
  /** Drops the faults and rewrites not used up yet. */
  clearFaults(): void;
  close(): Promise<void>;
}

function matches(match: RequestMatch, method: string, url: string): boolean {
  if (typeof match === 'string') return url.startsWith(match);
  return (match.method === undefined || match.method === method) && match.path.test(url.split('?')[0] ?? '');
}

/**
 * A recording HTTP proxy in front of stripe-mock. stripe-mock is stateless (one fixture id for every
 * PaymentIntent), so tests tell charges apart by what the proxy saw: idempotency keys and metadata.
 */
export async function startStripeRecordingProxy(target: string): Promise<StripeRecordingProxy> {
  const requests: RecordedStripeRequest[] = [];
  const faults: Array<{
    match: RequestMatch;
    remaining: number;
    status: number;
    error: Record<string, unknown>;
  }> = [];
  const rewrites: Array<{ match: RequestMatch; remaining: number; rewrite: StripeAnswerRewrite }> = [];
  const holds: Array<{ match: RequestMatch; arrived: () => void; released: Promise<void> }> = [];
  const upstream = new URL(target);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hold = holds.findIndex((h) => matches(h.match, req.method ?? '', req.url ?? ''));
      if (hold === -1) {
        answer();
        return;
      }
      const [{ arrived, released }] = holds.splice(hold, 1) as [(typeof holds)[number]];
      arrived();
      void released.then(answer);
    });
    const answer = (): void => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      const params = Object.fromEntries(form);
      const method = req.method ?? '';
      const url = req.url ?? '';
      const record = (status: number) =>
        requests.push({
          method,
          path: url,
          idempotencyKey: header(req.headers['idempotency-key']),
          eventId: form.get('metadata[event_id]') ?? undefined,
          params,
          status,
        });
      const fault = faults.find((f) => f.remaining > 0 && matches(f.match, method, url));
      if (fault) {
        fault.remaining -= 1;
        record(fault.status);
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: fault.error }));
        return;
      }
      const rewrite = rewrites.find((r) => r.remaining > 0 && matches(r.match, method, url));
      if (rewrite) rewrite.remaining -= 1;
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path: url,
          // Uncompressed when rewritten, so the rewrite can read the answer.
          headers: rewrite ? { ...req.headers, 'accept-encoding': 'identity' } : req.headers,
        },
        (upstreamRes) => {
          record(upstreamRes.statusCode ?? 0);
          if (!rewrite) {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
            return;
          }
          const answer: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => answer.push(chunk));
          upstreamRes.on('end', () => {
            const original = JSON.parse(Buffer.concat(answer).toString('utf8')) as Record<string, unknown>;
            const text = JSON.stringify(
              rewrite.rewrite(original, { method, path: url.split('?')[0] ?? '', params }),
            );
            const {
              'content-length': _length,
              'transfer-encoding': _encoding,
              ...headers
            } = upstreamRes.headers;
            res.writeHead(upstreamRes.statusCode ?? 502, {
              ...headers,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
            });
            res.end(text);
          });
        },
      );
      forward.on('error', () => {
        record(502);
        res.writeHead(502).end();
      });
      forward.end(body);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (match, count, status, error = { type: 'api_error', message: 'injected fault' }) =>
      faults.push({ match, remaining: count, status, error }),
    rewriteNext: (match, count, rewrite) => rewrites.push({ match, remaining: count, rewrite }),
    holdNext: (match) => {
      let arrived = (): void => undefined;
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ match, arrived, released });
      return { held, release };
    },
    clearFaults: () => {
      faults.length = 0;
      rewrites.length = 0;
    },
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
