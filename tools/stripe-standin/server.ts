/**
 * The stand-in, assembled: one HTTP server on loopback answering Stripe's API (`/v1/…`, in front of
 * stripe-mock), the control API (`/_standin/…`) and the 3-D Secure test page, over one state.
 * `startStandin` is what main.ts runs and what tests start in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StandinState } from './api/context';
import { authenticationPage } from './control/authentication-page';
import { runControlRequest } from './control/routes';
import { runApiRequest } from './http/api-pipeline';
import { Faults } from './http/faults';
import { decodeForm } from './http/form';
import { IdempotencyKeys } from './http/idempotency';
import { SlidingWindowLimit } from './http/rate-limit';
import { RequestRecorder } from './http/recorder';
import { Upstream } from './http/upstream';
import { cloneSettings, DEFAULT_SETTINGS, type StandinSettings, type WebhookSettings } from './settings';
import { Disputes } from './state/disputes';
import { EventLog } from './state/events';
import { PaymentIntents } from './state/payment-intents';
import { Refunds } from './state/refunds';
import { Scheduler } from './state/scheduler';
import { StateFile } from './state/state-file';
import { Store } from './state/store';
import { WebhookSender } from './webhooks/sender';

/**
 * The API version the stand-in's objects are shaped for: the one src/stripe/client.ts pins (a test
 * checks they agree). Events are stamped with it unless an endpoint was registered with another.
 */
export const STANDIN_API_VERSION = '2026-10-28.endive';

/** Request bodies larger than this are refused (Stripe's own limit is far below it). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface StandinOptions {
  readonly host?: string;
  /** 0: any free port (tests). */
  readonly port?: number;
  /** stripe-mock, which checks every request's shape first. */
  readonly upstream: string;
  /** Where the state is kept across restarts; none: in memory only (tests). */
  readonly stateFile?: string | undefined;
  readonly settings?: Partial<Omit<StandinSettings, 'webhooks'>> & { webhooks?: Partial<WebhookSettings> };
  readonly log?: (line: string) => void;
}

export interface RunningStandin {
  /** `http://127.0.0.1:<port>`: the STRIPE_API_BASE to give the service, and the control API's base. */
  readonly url: string;
  readonly state: StandinState;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function controlBody(req: http.IncomingMessage, body: Buffer): unknown {
  if (body.length === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return decodeForm(body.toString('utf8'));
  return JSON.parse(body.toString('utf8')) as unknown;
}

export async function startStandin(options: StandinOptions): Promise<RunningStandin> {
  const log =
    options.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  let settings: StandinSettings = {
    ...cloneSettings(DEFAULT_SETTINGS),
    ...options.settings,
    webhooks: { ...DEFAULT_SETTINGS.webhooks, ...options.settings?.webhooks },
  };
  const getSettings = () => settings;
  const store = new Store();
  const events = new EventLog(store);
  let url = '';
  let stateFile: StateFile | undefined;
  const changed = () => stateFile?.changed();
  const holder: { state?: StandinState } = {};
  const scheduler = new Scheduler((task) => {
    const state = holder.state;
    if (!state) return;
    if (task.kind === 'finish_processing') state.paymentIntents.finishProcessing(task.target);
    else if (task.kind === 'open_dispute') state.disputes.openFromTestCard(task.target);
    else state.refunds.fail(task.target);
  }, changed);
  const state: StandinState = {
    store,
    settings: getSettings,
    paymentIntents: new PaymentIntents({
      store,
      events,
      scheduler,
      settings: getSettings,
      authenticationUrl: (pi) => `${url}/_standin/3ds/${pi.id}`,
    }),
    refunds: new Refunds({ store, events, scheduler, settings: getSettings }),
    disputes: new Disputes({ store, events }),
  };
  holder.state = state;
  const idempotency = new IdempotencyKeys();
  const webhooks = new WebhookSender({ store, settings: () => settings.webhooks, log });
  events.onEvent((event) => webhooks.enqueue(event));

  if (options.stateFile) {
    stateFile = new StateFile(options.stateFile, () => ({
      version: 1,
      store: store.snapshot(),
      idempotency_keys: idempotency.snapshot(),
      scheduled: [...scheduler.pending()],
    }));
    const saved = stateFile.read();
    if (saved) {
      store.restore(saved.store);
      idempotency.restore(saved.idempotency_keys ?? []);
      scheduler.restore(saved.scheduled ?? []);
      log(`restored ${store.paymentIntents.size} PaymentIntents from ${options.stateFile}`);
    }
  }

  const limit = new SlidingWindowLimit(settings.rate_limit_per_second);
  const faults = new Faults();
  const recorder = new RequestRecorder();
  const upstream = new Upstream(options.upstream);
  const pipeline = {
    state,
    limit,
    idempotency,
    faults,
    recorder,
    upstream,
    apiVersion: STANDIN_API_VERSION,
    changed,
  };
  const control = {
    ...pipeline,
    settings: { get: getSettings, set: (next: StandinSettings) => (settings = next) },
    webhooks,
  };

  const send = (res: http.ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const answer = async (): Promise<number> => {
      const body = await readBody(req);
      const method = (req.method ?? 'GET').toUpperCase();
      if (path.startsWith('/v1/')) {
        const answered = recorder.arrived(method, path);
        try {
          const result = await runApiRequest(pipeline, req, body);
          send(res, result.status, result.headers, result.body);
          return result.status;
        } finally {
          answered();
        }
      }
      const page = /^\/_standin\/3ds\/(pi_[A-Za-z0-9]+)$/.exec(path);
      if (page) {
        const result = authenticationPage(
          state,
          page[1] ?? '',
          method,
          new URLSearchParams(body.toString('utf8')),
        );
        changed();
        send(res, result.status, result.headers, result.body);
        return result.status;
      }
      if (path === '/_standin' || path.startsWith('/_standin/')) {
        let parsed: unknown;
        try {
          parsed = controlBody(req, body);
        } catch {
          send(
            res,
            400,
            { 'content-type': 'application/json' },
            JSON.stringify({ error: { message: 'the body is not JSON' } }),
          );
          return 400;
        }
        const query = new URL(req.url ?? '/', 'http://standin').searchParams;
        const result = await runControlRequest(control, { method, path, query, body: parsed });
        send(
          res,
          result.status,
          { 'content-type': 'application/json' },
          JSON.stringify(result.json, null, 2),
        );
        return result.status;
      }
      const missing = {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` },
      };
      send(res, 404, { 'content-type': 'application/json' }, JSON.stringify(missing));
      return 404;
    };
    answer().then(
      // The path only: queries and bodies may carry a client_secret, which never goes to a log.
      (status) => log(`${req.method} ${path} → ${status}`),
      (err: unknown) => {
        log(`${req.method} ${path} → 500 (${err instanceof Error ? err.message : String(err)})`);
        if (!res.headersSent)
          send(
            res,
            500,
            { 'content-type': 'application/json' },
            JSON.stringify({ error: { type: 'api_error', message: 'stripe-standin failed' } }),
          );
        else res.destroy();
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log(`stripe-standin (a local test tool, not Stripe) on ${url}, in front of stripe-mock at ${upstream.url}`);

  return {
    url,
    state,
    close: async () => {
      webhooks.close();
      scheduler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      upstream.close();
      stateFile?.writeNow();
    },
  };
}
