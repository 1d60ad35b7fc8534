/**
 * The control API (`/_standin/…`, JSON): what no Stripe API call does, played by tests and `npm run
 * webhook` — a customer confirming in the browser or finishing 3-D Secure, a bank opening a dispute
 * or letting an authorization lapse — and the stand-in's own knobs and records: settings, webhook
 * endpoints, injected faults, the request recorder, events and their deliveries. Not rate limited,
 * not recorded. A test tool's API: nothing like it exists at Stripe.
 */
import type { StandinState } from '../api/context';
import { decodeForm, stringMapParam } from '../http/form';
import { FAULT_MODES, isFaultMode, type AnswerPatch, type Faults, type FaultSpec } from '../http/faults';
import type { IdempotencyKeys } from '../http/idempotency';
import type { SlidingWindowLimit } from '../http/rate-limit';
import type { RequestRecorder } from '../http/recorder';
import { StripeApiError } from '../http/stripe-errors';
import type { Upstream } from '../http/upstream';
import { applySettingsPatch, type StandinSettings } from '../settings';
import { NO_REQUEST } from '../state/events';
import { newId } from '../state/ids';
import type { PaymentIntentRecord } from '../state/model';
import { renderCharge, renderDispute, renderRefund } from '../state/render';
import { testPaymentMethods } from '../test-payment-methods';
import type { WebhookSender } from '../webhooks/sender';

export interface ControlDeps {
  readonly state: StandinState;
  readonly settings: { get(): StandinSettings; set(next: StandinSettings): void };
  readonly limit: SlidingWindowLimit;
  readonly faults: Faults;
  readonly idempotency: IdempotencyKeys;
  readonly recorder: RequestRecorder;
  readonly webhooks: WebhookSender;
  readonly upstream: Upstream;
  readonly apiVersion: string;
  readonly changed: () => void;
}

export interface ControlRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface ControlAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** A refusal of the control API: 400 with a message naming what was wrong. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (deps: ControlDeps, request: ControlRequest, ids: string[]) => unknown;

const field = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;

function stringField(body: unknown, name: string, required: true): string;
function stringField(body: unknown, name: string, required?: false): string | undefined;
function stringField(body: unknown, name: string, required = false): string | undefined {
  const value = field(body, name);
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new ControlError(400, `${name}: a non-empty string is required`);
  return value;
}

function numberField(body: unknown, name: string): number | undefined {
  const value = field(body, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ControlError(400, `${name}: must be a whole number`);
  return value;
}

/** A PaymentIntent with everything the stand-in knows about its money, for assertions. */
function paymentIntentReport(deps: ControlDeps, pi: PaymentIntentRecord) {
  const { store } = deps.state;
  const refunds = store.refundsOf(pi.id);
  return {
    ...deps.state.paymentIntents.render(pi),
    charges: [...store.charges.values()].filter((c) => c.payment_intent === pi.id).map(renderCharge),
    refunds: refunds.map(renderRefund),
    refunded_amount: refunds
      .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
      .reduce((s, r) => s + r.amount, 0),
    disputes: [...store.disputes.values()].filter((d) => d.payment_intent === pi.id).map(renderDispute),
  };
}

function confirmResult(deps: ControlDeps, result: { paymentIntent: PaymentIntentRecord; decline: unknown }) {
  return { payment_intent: deps.state.paymentIntents.render(result.paymentIntent), decline: result.decline };
}

function latestChargeOf(deps: ControlDeps, id: string): string {
  const pi = deps.state.paymentIntents.get(id);
  if (pi.latest_charge === null)
    throw new ControlError(400, `${id} has no charge to dispute (status ${pi.status})`);
  return pi.latest_charge;
}

function openDispute(deps: ControlDeps, chargeId: string, body: unknown) {
  const inquiry = field(body, 'inquiry');
  return renderDispute(
    deps.state.disputes.open(
      chargeId,
      {
        reason: stringField(body, 'reason'),
        amount: numberField(body, 'amount'),
        inquiry: inquiry === true,
      },
      NO_REQUEST,
    ),
  );
}

const ROUTES: ReadonlyArray<{ method: string; path: RegExp; handler: Handler }> = [
  {
    method: 'GET',
    path: /^\/_standin\/?$/,
    handler: (deps) => ({
      name: 'stripe-standin',
      note: 'A local test tool standing in for Stripe in test mode. Never a payment processor.',
      api_version: deps.apiVersion,
      stripe_mock: deps.upstream.url,
      test_payment_methods: testPaymentMethods().map((pm) => ({
        id: pm.id,
        outcome: pm.outcome.kind,
        ...(pm.dispute ? { dispute: pm.dispute.reason } : {}),
        ...(pm.refundsFail ? { refunds: 'fail' } : {}),
        ...(pm.standinOnly ? { stripe: false } : {}),
      })),
    }),
  },
  {
    method: 'GET',
    path: /^\/_standin\/health$/,
    handler: async (deps) => {
      const answer = await deps.upstream.send(
        'GET',
        '/v1/balance',
        { authorization: 'Bearer sk_test_standinhealth' },
        Buffer.alloc(0),
      );
      if (answer.status !== 200)
        throw new ControlError(503, `stripe-mock at ${deps.upstream.url} answered ${answer.status}`);
      return { ok: true, stripe_mock: deps.upstream.url };
    },
  },
  { method: 'GET', path: /^\/_standin\/config$/, handler: (deps) => deps.settings.get() },
  {
    method: 'POST',
    path: /^\/_standin\/config$/,
    handler: (deps, { body }) => {
      const result = applySettingsPatch(deps.settings.get(), body);
      if ('problems' in result) throw new ControlError(400, result.problems.join('; '));
      deps.settings.set(result.settings);
      deps.limit.perSecond = result.settings.rate_limit_per_second;
      return result.settings;
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/webhook_endpoints$/,
    handler: (deps) => ({
      data: [...deps.state.store.webhookEndpoints.values()].map(({ secret: _secret, ...rest }) => rest),
    }),
  },
  {
    method: 'POST',
    path: /^\/_standin\/webhook_endpoints$/,
    handler: (deps, { body }) => {
      const url = stringField(body, 'url', true);
      const secret = stringField(body, 'secret', true);
      if (!/^https?:\/\//.test(url)) throw new ControlError(400, 'url: must be an http(s) URL');
      if (!secret.startsWith('whsec_'))
        throw new ControlError(400, 'secret: must be a whsec_… signing secret');
      const events = field(body, 'enabled_events');
      const enabled = Array.isArray(events) && events.every((e) => typeof e === 'string') ? events : ['*'];
      const apiVersion = stringField(body, 'api_version') ?? deps.apiVersion;
      // One endpoint per URL: registering again (npm run dev at each start) updates it.
      const existing = [...deps.state.store.webhookEndpoints.values()].find((e) => e.url === url);
      const endpoint = existing ?? {
        id: newId('we'),
        url,
        secret,
        api_version: apiVersion,
        enabled_events: enabled,
      };
      Object.assign(endpoint, { secret, api_version: apiVersion, enabled_events: enabled });
      deps.state.store.webhookEndpoints.set(endpoint.id, endpoint);
      deps.changed();
      const { secret: _secret, ...shown } = endpoint;
      return shown;
    },
  },
  {
    method: 'DELETE',
    path: /^\/_standin\/webhook_endpoints\/(we_[A-Za-z0-9]+)$/,
    handler: (deps, _request, [id = '']) => {
      const deleted = deps.state.store.webhookEndpoints.delete(id);
      deps.changed();
      return { id, deleted };
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/payment_intents$/,
    handler: (deps, { query }) => {
      const metadata = stringMapParam(decodeForm(query.toString()), 'metadata') ?? {};
      const eventId = query.get('event_id');
      if (eventId !== null) metadata['event_id'] = eventId;
      const found = [...deps.state.store.paymentIntents.values()].filter((pi) =>
        Object.entries(metadata).every(([k, v]) => pi.metadata[k] === v),
      );
      return { data: found.map((pi) => paymentIntentReport(deps, pi)) };
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/payment_intents\/(pi_[A-Za-z0-9]+)$/,
    handler: (deps, _request, [id = '']) => paymentIntentReport(deps, deps.state.paymentIntents.get(id)),
  },
  {
    method: 'POST',
    path: /^\/_standin\/payment_intents\/(pi_[A-Za-z0-9]+)\/confirm$/,
    handler: (deps, { body }, [id = '']) =>
      confirmResult(
        deps,
        deps.state.paymentIntents.confirm(
          id,
          {
            payment_method: stringField(body, 'payment_method', true),
            off_session: false,
            return_url: stringField(body, 'return_url') ?? null,
          },
          NO_REQUEST,
        ),
      ),
  },
  {
    method: 'POST',
    path: /^\/_standin\/payment_intents\/(pi_[A-Za-z0-9]+)\/3ds$/,
    handler: (deps, { body }, [id = '']) => {
      const result = stringField(body, 'result', true);
      if (result !== 'complete' && result !== 'fail' && result !== 'abandon') {
        throw new ControlError(400, 'result: must be complete, fail or abandon');
      }
      return confirmResult(deps, deps.state.paymentIntents.authenticate(id, result, NO_REQUEST));
    },
  },
  {
    method: 'POST',
    path: /^\/_standin\/payment_intents\/(pi_[A-Za-z0-9]+)\/expire_authorization$/,
    handler: (deps, _request, [id = '']) =>
      deps.state.paymentIntents.render(deps.state.paymentIntents.expireAuthorization(id, NO_REQUEST)),
  },
  {
    method: 'POST',
    path: /^\/_standin\/payment_intents\/(pi_[A-Za-z0-9]+)\/dispute$/,
    handler: (deps, { body }, [id = '']) => openDispute(deps, latestChargeOf(deps, id), body),
  },
  {
    method: 'POST',
    path: /^\/_standin\/charges\/(ch_[A-Za-z0-9]+)\/dispute$/,
    handler: (deps, { body }, [id = '']) => openDispute(deps, id, body),
  },
  {
    method: 'POST',
    path: /^\/_standin\/disputes\/(dp_[A-Za-z0-9]+)\/close$/,
    handler: (deps, { body }, [id = '']) => {
      const status = stringField(body, 'status', true);
      if (status !== 'won' && status !== 'lost') throw new ControlError(400, 'status: must be won or lost');
      return renderDispute(deps.state.disputes.close(id, status, NO_REQUEST));
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/requests$/,
    handler: (deps, { query }) => {
      const after = query.get('after');
      const method = query.get('method') ?? undefined;
      const path = query.get('path') ?? undefined;
      return {
        last_seq: deps.recorder.lastSeq,
        in_flight: deps.recorder.inFlight({ method, path }),
        data: deps.recorder.find({
          after: after === null ? undefined : Number(after),
          method,
          path,
          event_id: query.get('event_id') ?? undefined,
          idempotency_key: query.get('idempotency_key') ?? undefined,
        }),
      };
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/events$/,
    handler: (deps, { query }) => {
      const type = query.get('type');
      const object = query.get('object_id');
      const paymentIntent = query.get('payment_intent');
      const events = [...deps.state.store.events.values()].filter(
        (e) =>
          (type === null || e.type === type) &&
          (object === null || e.object['id'] === object) &&
          (paymentIntent === null ||
            e.object['id'] === paymentIntent ||
            e.object['payment_intent'] === paymentIntent),
      );
      return { data: events };
    },
  },
  {
    method: 'POST',
    path: /^\/_standin\/events\/(evt_[A-Za-z0-9]+)\/resend$/,
    handler: (deps, { body }, [id = '']) => {
      const event = deps.state.store.events.get(id);
      if (!event) throw new ControlError(404, `no event ${id}`);
      return { id, endpoints: deps.webhooks.resend(event, stringField(body, 'endpoint_id')) };
    },
  },
  {
    method: 'GET',
    path: /^\/_standin\/webhook_deliveries$/,
    handler: (deps, { query }) => ({
      data: deps.webhooks.deliveries({
        event_id: query.get('event_id') ?? undefined,
        type: query.get('type') ?? undefined,
        endpoint_id: query.get('endpoint_id') ?? undefined,
      }),
    }),
  },
  { method: 'GET', path: /^\/_standin\/faults$/, handler: (deps) => ({ data: deps.faults.list() }) },
  {
    method: 'POST',
    path: /^\/_standin\/faults$/,
    handler: (deps, { body }) => {
      const mode = stringField(body, 'mode') ?? 'before';
      if (!isFaultMode(mode)) throw new ControlError(400, `mode: must be one of ${FAULT_MODES.join(', ')}`);
      const error = field(body, 'error');
      const patch = field(body, 'patch');
      if (mode === 'patch' && (typeof patch !== 'object' || patch === null || Array.isArray(patch)))
        throw new ControlError(400, 'patch: mode patch needs a JSON object to merge into the answer');
      const spec: FaultSpec = {
        method: stringField(body, 'method'),
        path: stringField(body, 'path', true),
        count: numberField(body, 'count') ?? 1,
        status: numberField(body, 'status') ?? 500,
        mode,
        delay_ms: numberField(body, 'delay_ms') ?? 0,
        error: typeof error === 'object' && error !== null ? error : undefined,
        patch: mode === 'patch' ? (patch as AnswerPatch) : undefined,
      };
      if (spec.status < 100 || spec.status > 599)
        throw new ControlError(400, 'status: must be an HTTP status');
      deps.faults.add(spec);
      return spec;
    },
  },
  {
    method: 'POST',
    path: /^\/_standin\/faults\/release$/,
    handler: (deps) => ({ released: deps.faults.release() }),
  },
  {
    method: 'DELETE',
    path: /^\/_standin\/faults$/,
    handler: (deps) => {
      deps.faults.clear();
      return { cleared: true };
    },
  },
  {
    method: 'POST',
    path: /^\/_standin\/idempotency_keys\/expire$/,
    handler: (deps, { body }) => {
      const keys = field(body, 'keys');
      const named = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : undefined;
      const expired = deps.idempotency.expire(named);
      deps.changed();
      return { expired };
    },
  },
];

export async function runControlRequest(deps: ControlDeps, request: ControlRequest): Promise<ControlAnswer> {
  const candidates = ROUTES.filter((r) => r.path.test(request.path));
  const route = candidates.find((r) => r.method === request.method);
  if (!route) {
    return candidates.length > 0
      ? { status: 405, json: { error: { message: `${request.method} is not allowed on ${request.path}` } } }
      : {
          status: 404,
          json: { error: { message: `no control route ${request.path} (GET /_standin lists them)` } },
        };
  }
  try {
    const ids = route.path.exec(request.path)?.slice(1) ?? [];
    const json = await route.handler(deps, request, ids);
    deps.changed();
    return { status: 200, json };
  } catch (err) {
    if (err instanceof ControlError) return { status: err.status, json: { error: { message: err.message } } };
    if (err instanceof StripeApiError) return { status: err.status, json: { error: err.body } };
    throw err;
  }
}
