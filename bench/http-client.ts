/** A lean keep-alive HTTP/1.1 client on node:http: cheaper per request than fetch, so the bench's own CPU stays small. */
import http from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  /** Retry-After in seconds, when the answer carries a numeric one. */
  readonly retryAfterSeconds?: number;
}

export class HttpError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = kind === 'timeout' ? 'HttpTimeout' : 'HttpNetworkError';
  }
}

export class HttpClient {
  private readonly agent: http.Agent;

  constructor(maxSockets = 512) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const body = options.body;
      const req = http.request(
        {
          agent: this.agent,
          method,
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          headers: {
            ...options.headers,
            ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          },
          timeout: options.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(Number.isFinite(retryAfter) && res.headers['retry-after'] !== undefined
                ? { retryAfterSeconds: retryAfter }
                : {}),
            });
          });
          res.on('error', (err) => reject(new HttpError('network', err.message)));
        },
      );
      req.on('timeout', () => req.destroy(new HttpError('timeout', `${method} ${url} timed out`)));
      req.on('error', (err) =>
        reject(err instanceof HttpError ? err : new HttpError('network', err.message)),
      );
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function jsonBody(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(response.body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
