/**
 * One Stripe API request, in Stripe's order: the rate limit, the idempotency key, injected faults,
 * the request's shape (checked by stripe-mock), then the endpoint itself, answered from the
 * stand-in's state. Every request is recorded.
 */
import type http from 'node:http';
import type { StandinState } from '../api/context';
import { findApiRoute } from '../api/routes';
import { newId } from '../state/ids';
import { decodeForm, flatParams } from './form';
import { faultError, mergePatch, type Faults } from './faults';
import type { IdempotencyKeys, StoredAnswer } from './idempotency';
import type { SlidingWindowLimit } from './rate-limit';
import type { RecordedRequest, RequestRecorder } from './recorder';
import { apiError, authenticationFailed, rateLimited, StripeApiError } from './stripe-errors';
import type { Upstream } from './upstream';

export interface ApiPipelineDeps {
  readonly state: StandinState;
  readonly limit: SlidingWindowLimit;
  readonly idempotency: IdempotencyKeys;
  readonly faults: Faults;
  readonly recorder: RequestRecorder;
  readonly upstream: Upstream;
  /** The API version answers and events are stamped with when the request names none. */
  readonly apiVersion: string;
  /** Something changed: the state file should be written. */
  readonly changed: () => void;
}

export interface PipelineAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const errorAnswer = (error: StripeApiError): StoredAnswer => ({
  status: error.status,
  body: JSON.stringify({ error: error.body }, null, 2),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runApiRequest(
  deps: ApiPipelineDeps,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<PipelineAnswer> {
  const arrivedAt = new Date().toISOString();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://standin');
  const path = url.pathname;
  const query = url.search.slice(1);
  const requestId = newId('req');
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'content-type': 'application/json',
    'request-id': requestId,
    'stripe-version': header(req, 'stripe-version') ?? deps.apiVersion,
    ...extra,
  });
  const bodyText = body.toString('utf8');
  const paramText = [bodyText, query].filter((part) => part !== '').join('&');
  const params = Object.fromEntries(new URLSearchParams(paramText));
  const idempotencyKey = method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
  const record = (
    status: number,
    extra: Pick<RecordedRequest, 'replayed' | 'refused_by'> = { replayed: false, refused_by: null },
  ) =>
    deps.recorder.record({
      at: arrivedAt,
      method,
      path,
      idempotency_key: idempotencyKey,
      params,
      status,
      ...extra,
    });
  const refuse = (error: StripeApiError, refusedBy: RecordedRequest['refused_by']): PipelineAnswer => {
    record(error.status, { replayed: false, refused_by: refusedBy });
    const answer = errorAnswer(error);
    return { ...answer, headers: headers(error.headers) };
  };

  if (!deps.limit.admit(Date.now())) return refuse(rateLimited(), 'rate_limit');

  // A test tool never sees live money: a live key is refused before anything else.
  if (/\b[sr]k_live_/.test(header(req, 'authorization') ?? '')) {
    return refuse(
      authenticationFailed(
        'stripe-standin is a local test tool: it accepts test-mode keys (sk_test_…, rk_test_…) only.',
      ),
      null,
    );
  }

  // Stripe down: the request meets the outage before its key is looked at (no replay either).
  if (deps.faults.peek(method, path)?.mode === 'before') {
    const outage = deps.faults.take(method, path);
    if (outage && outage.delay_ms > 0) await sleep(outage.delay_ms);
    if (outage) return refuse(faultError(outage), 'fault');
  }

  if (idempotencyKey !== null) {
    const verdict = deps.idempotency.begin(
      idempotencyKey,
      `${method} ${path}`,
      JSON.stringify(flatParams(paramText)),
    );
    if (verdict.kind === 'refuse') return refuse(verdict.error, null);
    if (verdict.kind === 'replay') {
      record(verdict.answer.status, { replayed: true, refused_by: null });
      return {
        ...verdict.answer,
        headers: headers({ 'idempotent-replayed': 'true', 'original-request': requestId }),
      };
    }
  }
  const notRun = (error: StripeApiError, refusedBy: RecordedRequest['refused_by']) => {
    if (idempotencyKey !== null) deps.idempotency.abandon(idempotencyKey);
    return refuse(error, refusedBy);
  };

  const fault = deps.faults.take(method, path);
  if (fault && fault.delay_ms > 0) await sleep(fault.delay_ms);
  if (fault && fault.mode === 'hold') await deps.faults.holdUntilReleased();
  // Added while this request waited for its key: it is still refused before running.
  if (fault && fault.mode === 'before') return notRun(faultError(fault), 'fault');

  let upstream;
  try {
    upstream = await deps.upstream.send(method, req.url ?? path, req.headers, body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return notRun(
      new StripeApiError(
        503,
        {
          type: 'api_error',
          message: `stripe-standin (test tool): stripe-mock at ${deps.upstream.url} is not reachable: ${why}`,
        },
        { 'Stripe-Should-Retry': 'true' },
      ),
      null,
    );
  }
  if (upstream.status >= 400) {
    // The shape is wrong (or the key missing): stripe-mock's answer is Stripe's.
    if (idempotencyKey !== null) deps.idempotency.abandon(idempotencyKey);
    record(upstream.status, { replayed: false, refused_by: 'stripe_mock' });
    return { status: upstream.status, body: upstream.body.toString('utf8'), headers: headers() };
  }

  const route = findApiRoute(method, path);
  let answer: StoredAnswer;
  let extraHeaders: Record<string, string> = {};
  if (route === undefined) {
    // Not modelled: stripe-mock's fixture, marked so nobody mistakes it for state.
    answer = { status: upstream.status, body: upstream.body.toString('utf8') };
    extraHeaders = { 'stripe-standin-emulated': 'false' };
  } else {
    try {
      const object = route.handler(
        deps.state,
        { method, path, params: decodeForm(paramText), origin: { requestId, idempotencyKey } },
        route.ids,
      );
      answer = { status: 200, body: JSON.stringify(object, null, 2) };
    } catch (err) {
      const error =
        err instanceof StripeApiError
          ? err
          : apiError(500, `stripe-standin (test tool) failed: ${String(err)}`);
      answer = errorAnswer(error);
      extraHeaders = { ...error.headers };
    }
    deps.changed();
  }
  if (idempotencyKey !== null) deps.idempotency.finish(idempotencyKey, answer);
  if (fault && fault.mode === 'lose_response') {
    // It ran, and its answer is kept under the key; the client hears only the fault.
    record(fault.status, { replayed: false, refused_by: 'fault' });
    const lost = faultError(fault);
    return { ...errorAnswer(lost), headers: headers(lost.headers) };
  }
  if (fault && fault.mode === 'patch' && answer.status < 300) {
    // It ran and its real answer is kept under the key; this client hears the patched one.
    record(answer.status);
    const patched = mergePatch(JSON.parse(answer.body), fault.patch ?? {});
    return { status: answer.status, body: JSON.stringify(patched, null, 2), headers: headers(extraHeaders) };
  }
  record(answer.status);
  return { ...answer, headers: headers(extraHeaders) };
}
