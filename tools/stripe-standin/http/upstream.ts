/**
 * stripe-mock behind the stand-in: every API request is sent to it first, so a request Stripe would
 * refuse for its shape (an unknown parameter, a wrong type, a missing key) is refused here with
 * stripe-mock's answer. Its answer to a valid request (a fixture) is not used: the stand-in answers
 * from its own state.
 */
import http from 'node:http';

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

const FORWARDED_HEADERS = ['authorization', 'content-type', 'stripe-version', 'stripe-account', 'user-agent'];

export class Upstream {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly base: URL;

  constructor(url: string) {
    this.base = new URL(url);
  }

  get url(): string {
    return this.base.origin;
  }

  send(
    method: string,
    pathAndQuery: string,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
  ): Promise<UpstreamAnswer> {
    const forwarded: http.OutgoingHttpHeaders = { 'accept-encoding': 'identity' };
    for (const name of FORWARDED_HEADERS) if (headers[name] !== undefined) forwarded[name] = headers[name];
    if (body.length > 0) forwarded['content-length'] = body.length;
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path: pathAndQuery,
          headers: forwarded,
          timeout: 10_000,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('stripe-mock did not answer within 10 s')));
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
