/**
 * The Stripe test-mode stand-in (tools/stripe-standin, a test tool) as tests use it: a private
 * instance in this process, so a test may change its settings (rate limit, webhook chaos) and
 * register webhook endpoints without touching anyone else's; its log lines go to a file of
 * test-results/logs/ for the secret scan. In front of the stack's stripe-mock for integration tests,
 * or of an upstream stub that accepts every request's shape for the stand-in's own unit tests
 * (which so run without a stack). Plus webhook endpoints that record what they are sent.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { createStripeClient } from '../../src/stripe/client';
import { StandinControl } from '../../tools/stripe-standin/control-client';
import { startStandin, type StandinOptions } from '../../tools/stripe-standin/server';
import { stack } from './stack';
import { testLogFile } from './test-logs';

/** A test-mode key as stripe-mock accepts them (letters and digits after sk_test_). */
export const STANDIN_TEST_KEY = 'sk_test_standinsuite';

export interface TestStandin {
  readonly url: string;
  readonly control: StandinControl;
  /** The service's own Stripe client (src/stripe/client.ts), pointed at this stand-in. */
  readonly stripe: Stripe;
  /** The stub in front of which it runs, or undefined in front of the stack's stripe-mock. */
  readonly upstream: UpstreamStub | undefined;
  close(): Promise<void>;
}

export interface UpstreamStub {
  readonly url: string;
  /** Requests it was sent, as `METHOD /path?query`. */
  readonly seen: string[];
  /** Answers the next request to `path` with this status and Stripe error body, as stripe-mock refuses a shape. */
  refuseNext(path: string, status: number, message: string): void;
  close(): Promise<void>;
}

/**
 * What stands for stripe-mock in the stand-in's unit tests: every request's shape is accepted
 * (`200 {}`, an answer the stand-in never uses), unless a test says it is refused. The real
 * stripe-mock's checks are exercised in test/integration/stripe-standin.test.ts.
 */
export async function startUpstreamStub(): Promise<UpstreamStub> {
  const seen: string[] = [];
  const refusals = new Map<string, { status: number; message: string }>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const path = new URL(req.url ?? '/', 'http://stub').pathname;
      const refusal = refusals.get(path);
      refusals.delete(path);
      const body = refusal
        ? JSON.stringify({ error: { type: 'invalid_request_error', message: refusal.message } })
        : '{}';
      res.writeHead(refusal?.status ?? 200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    refuseNext: (path, status, message) => refusals.set(path, { status, message }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestStandinOptions {
  /** The stack's stripe-mock (integration tests); without it, an upstream stub that accepts every shape. */
  readonly stripeMock?: boolean;
  /** Where its log lines go; by default a file of test-results/logs/. */
  readonly logFile?: string;
}

export async function startTestStandin(
  settings: StandinOptions['settings'] = {},
  options: TestStandinOptions = {},
): Promise<TestStandin> {
  const file = options.logFile ?? testLogFile('stripe-standin');
  const upstream = options.stripeMock ? undefined : await startUpstreamStub();
  const running = await startStandin({
    upstream: upstream?.url ?? stack.stripeMockUrl,
    settings,
    log: (line) => fs.appendFileSync(file, `${new Date().toISOString()} ${line}\n`),
  });
  const { hostname, port } = new URL(running.url);
  return {
    url: running.url,
    control: new StandinControl(running.url),
    stripe: createStripeClient({
      stripe: { key: STANDIN_TEST_KEY, apiBase: { protocol: 'http', host: hostname, port: Number(port) } },
    }),
    upstream,
    close: async () => {
      await running.close();
      await upstream?.close();
    },
  };
}

export interface ReceivedWebhook {
  readonly signature: string | undefined;
  readonly body: string;
  readonly event: { id: string; type: string; data: { object: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
}

export interface WebhookSink {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** How the next deliveries are answered (200 unless a test says otherwise). */
  answerWith(status: (webhook: ReceivedWebhook, index: number) => number): void;
  close(): Promise<void>;
}

/** A webhook endpoint on loopback that keeps every delivery. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  let status: (webhook: ReceivedWebhook, index: number) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['stripe-signature'];
      const webhook: ReceivedWebhook = {
        signature: Array.isArray(header) ? header[0] : header,
        body,
        event: JSON.parse(body) as ReceivedWebhook['event'],
      };
      received.push(webhook);
      res.writeHead(status(webhook, received.length - 1)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    answerWith: (next) => (status = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface WebhookRelay {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Answers this status (without forwarding) when `refuse` returns one: an endpoint that fails. */
  refuseWhen(refuse: (webhook: ReceivedWebhook) => number | undefined): void;
  close(): Promise<void>;
}

/**
 * A webhook endpoint that forwards each delivery (body and Stripe-Signature) to `target` and answers
 * with the target's status, except those a test tells it to refuse: the service's receiver behind
 * a flaky hop, as Stripe would meet it.
 */
export async function startWebhookRelay(target: string): Promise<WebhookRelay> {
  const sink = await startWebhookSink();
  let refuse: (webhook: ReceivedWebhook) => number | undefined = () => undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['stripe-signature'];
      const signature = Array.isArray(header) ? header[0] : header;
      const webhook: ReceivedWebhook = {
        signature,
        body,
        event: JSON.parse(body) as ReceivedWebhook['event'],
      };
      sink.received.push(webhook);
      const refused = refuse(webhook);
      if (refused !== undefined) {
        res.writeHead(refused).end();
        return;
      }
      fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        body,
      }).then(
        async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received: sink.received,
    refuseWhen: (next) => (refuse = next),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sink.close();
    },
  };
}
