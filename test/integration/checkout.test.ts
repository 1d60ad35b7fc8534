/**
 * A checkout the customer can finish, on the real stack (Temporal dev server, Kafka, stripe-mock
 * behind the recording proxy, which answers as Stripe would: each PaymentIntent with its own
 * client_secret, and a next_action when the bank asks for authentication):
 *   - POST /charge with `Prefer: wait=5` answers 201 with the charge, its client_secret and
 *     next_action (update-with-start); a repeat answers 200 the same way; without Prefer, 202;
 *   - requires_action end to end: next_action shown, a signed payment_intent.succeeded completes the
 *     charge, and the customer-window timeout still cancels one left unfinished;
 *   - with no worker polling, a POST with Prefer waits, then answers the plain 202 (one 202 among
 *     concurrent identical POSTs);
 *   - a storefront polling GET for a waiting browser charge gets the client_secret (and, after a
 *     requires_action event, its next_action) from the workflow: no Stripe call (the proxy counts);
 *   - a charge whose create carried no client_secret (as one started before the workflow kept it) has
 *     the workflow read it once, with its retrieve activity on the Stripe task queue, for every GET;
 *   - the secret stays between Stripe, the gateway's caller, the customer and the workflow's encrypted
 *     state (the webhooks delivered here carry it in their PaymentIntent, as Stripe's do): none in the
 *     charge's whole Temporal history read raw (`temporal workflow show --output json`), its description
 *     (memo, search attributes, summaries), its current details, the Kafka records, the service's
 *     log lines or its metrics.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { paymentIntentEvent, signatureFor } from '../../scripts/stripe-events';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import {
  chargeWorkflowId,
  DEFAULT_CHARGE_TIMING,
  type ChargeRecord,
  type ChargeRequest,
} from '../../src/contracts/charge';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import { chargeStateQuery } from '../../src/workflows/messages';
import { readRecordsFor } from '../support/kafka-reader';
import { AUTH_HEADER, startTestService, TEST_WEBHOOK_SECRET, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { checkoutStripe, clientSecretOf, redirectNextAction } from '../support/stripe-checkout';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';
import { waitUntil } from '../support/wait';
import { localDataConverter } from '../support/codec';

const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');
const RETURN_URL = 'https://shop.example/checkout/complete';
/** Anything shaped like a PaymentIntent's client_secret (the secret scan's pattern). */
const SECRET_SHAPE = /_secret_[A-Za-z0-9]+/;
const PAYMENT_INTENTS = { path: /^\/v1\/payment_intents(\/pi_[A-Za-z0-9]+)?$/ };

type Json = Record<string, unknown>;

function newCharge(extra: Json = {}): Json & { event_id: string; order_id: string } {
  const id = randomUUID();
  return { event_id: `evt-co-${id}`, order_id: `order-co-${id}`, amount: 1999, currency: 'usd', ...extra };
}

describe('a checkout the customer can finish (real stack)', { timeout: 180_000 }, () => {
  let proxy: StripeRecordingProxy;
  let service: TestService;
  let temporal: Client;
  /** Charges that must be paid in the browser after a 3-D Secure challenge (by event_id). */
  const requiresAction = new Set<string>();
  /** Charges whose create answer carries no client_secret, as results recorded before it was kept. */
  const withoutSecretOnCreate = new Set<string>();
  /** Every charge this file makes, and the client_secret Stripe gave it: scanned for at the end. */
  const charges = new Map<string, { eventId: string; secret?: string }>();

  before(async () => {
    proxy = await startStripeRecordingProxy(stack.stripeMockUrl);
    const stripe = checkoutStripe((eventId) => ({ requiresAction: requiresAction.has(eventId) }));
    proxy.rewriteNext(PAYMENT_INTENTS, 1_000_000, (body, request) => {
      const answer = stripe(body, request);
      if (request.method !== 'POST' || !withoutSecretOnCreate.has(request.params['metadata[event_id]'] ?? ''))
        return answer;
      const { client_secret: _secret, next_action: _action, ...withoutSecret } = answer;
      return withoutSecret;
    });
    service = await startTestService({ STRIPE_API_BASE: proxy.url });
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: localDataConverter(),
    });
  });
  after(async () => {
    await service?.stop();
    await temporal?.connection.close();
    await proxy?.close();
  });

  const post = async (url: string, body: Json, prefer?: string) => {
    const started = Date.now();
    const res = await fetch(`${url}/charge`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...AUTH_HEADER,
        ...(prefer === undefined ? {} : { prefer }),
      },
      body: JSON.stringify(body),
    });
    const eventId = String(body['event_id']);
    if (!charges.has(eventId)) charges.set(eventId, { eventId });
    return {
      status: res.status,
      headers: res.headers,
      json: (await res.json()) as Json,
      ms: Date.now() - started,
    };
  };
  const get = async (eventId: string) => {
    const res = await fetch(`${service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
    assert.equal(res.status, 200);
    return (await res.json()) as Json;
  };
  /** Stripe's signed event; its PaymentIntent carries the client_secret, as Stripe's events do. */
  const deliver = async (
    type: string,
    eventId: string,
    pi: string,
    status: string,
    nextAction: Json | null = null,
  ) => {
    const event = JSON.parse(
      paymentIntentEvent({ type, eventId, paymentIntentId: pi, status, amount: 1999, currency: 'usd' }),
    ) as { data: { object: Json } };
    event.data.object['client_secret'] = clientSecretOf(pi);
    event.data.object['next_action'] = nextAction;
    const payload = JSON.stringify(event);
    const res = await fetch(`${service.url}/stripe/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureFor(payload, TEST_WEBHOOK_SECRET),
      },
      body: payload,
    });
    assert.equal(res.status, 200);
  };
  const result = (eventId: string) =>
    temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId)).result();
  const remember = (eventId: string, secret: string) => charges.set(eventId, { eventId, secret });

  it('POST with Prefer: wait=5 answers 201 with the charge, its client_secret and next_action; GET and a repeat the same', async () => {
    const charge = newCharge();
    const res = await post(service.url, charge, 'wait=5');
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.equal(res.headers.get('preference-applied'), 'wait=5');
    assert.equal(res.headers.get('location'), `/charges/${charge.event_id}`);
    const pi = String(res.json['payment_intent_id']);
    assert.match(pi, /^pi_/);
    assert.equal(res.json['status'], 'pending');
    assert.equal(res.json['client_secret'], clientSecretOf(pi), 'the secret Stripe gave this PaymentIntent');
    assert.equal(res.json['next_action'], null);
    assert.equal(res.json['duplicate'], false);
    assert.equal(res.json['workflow_id'], chargeWorkflowId(charge.event_id));
    assert.match(String(res.json['run_id']), /^[0-9a-f-]{36}$/);
    remember(charge.event_id, clientSecretOf(pi));

    const { workflow_id: _w, run_id: _r, status_url: _s, duplicate: _d, ...asShown } = res.json;
    assert.deepEqual(await get(charge.event_id), asShown, 'the charge as GET shows it');

    const repeat = await post(service.url, charge, 'wait=5');
    assert.equal(repeat.status, 200);
    assert.equal(repeat.headers.get('preference-applied'), 'wait=5');
    assert.equal(repeat.json['duplicate'], true);
    assert.equal(repeat.json['client_secret'], clientSecretOf(pi));
    assert.equal(repeat.json['run_id'], res.json['run_id']);

    // The customer pays in the browser; Stripe says so. Final: neither secret nor action.
    await deliver('payment_intent.succeeded', charge.event_id, pi, 'succeeded');
    assert.equal((await result(charge.event_id)).status, 'succeeded');
    const final = await get(charge.event_id);
    assert.equal('client_secret' in final, false);
    assert.equal('next_action' in final, false);
    const plainRepeat = await post(service.url, charge, 'wait=5');
    assert.equal(plainRepeat.status, 200);
    assert.equal(plainRepeat.json['status'], 'succeeded');
    assert.equal('client_secret' in plainRepeat.json, false);
  });

  it('POST without Prefer answers the fast 202 as before; GET then carries the client_secret', async () => {
    const charge = newCharge();
    const res = await post(service.url, charge);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('preference-applied'), null);
    assert.equal('client_secret' in res.json, false);
    const pi = await waitUntil(
      async () => ((await get(charge.event_id))['payment_intent_id'] as string | null) ?? undefined,
      'the PaymentIntent',
    );
    assert.equal((await get(charge.event_id))['client_secret'], clientSecretOf(pi));
    remember(charge.event_id, clientSecretOf(pi));
    await temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).terminate('test over');
  });

  it('requires_action end to end: next_action shown, return_url passed to Stripe, a signed payment_intent.succeeded completes it', async () => {
    const charge = newCharge({ payment_method: 'pm_1ThreeDSecure', return_url: RETURN_URL });
    requiresAction.add(charge.event_id);
    const res = await post(service.url, charge, 'wait=5');
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const pi = String(res.json['payment_intent_id']);
    assert.equal(res.json['status'], 'requires_action');
    assert.deepEqual(res.json['next_action'], redirectNextAction(pi, RETURN_URL), "Stripe's object as it is");
    assert.equal(res.json['client_secret'], clientSecretOf(pi));
    remember(charge.event_id, clientSecretOf(pi));

    const create = proxy.requests.find((r) => r.method === 'POST' && r.eventId === charge.event_id);
    assert.equal(create?.params['return_url'], RETURN_URL);
    assert.equal(create?.params['confirm'], 'true');
    assert.equal(create?.params['payment_method'], 'pm_1ThreeDSecure');

    const shown = await get(charge.event_id);
    assert.equal(shown['status'], 'requires_action');
    assert.deepEqual(shown['next_action'], redirectNextAction(pi, RETURN_URL));

    // The customer completes 3-D Secure in the browser; Stripe signs the outcome.
    await deliver('payment_intent.succeeded', charge.event_id, pi, 'succeeded');
    assert.equal((await result(charge.event_id)).status, 'succeeded');
    const records = await readRecordsFor(
      ['payments.completed', 'payments.failed'],
      new Set([charge.event_id]),
    );
    assert.deepEqual(
      records.map((r) => r.topic),
      ['payments.completed'],
    );
  });

  it('cancels a requires_action charge the customer leaves unfinished past the customer window', async () => {
    // The window is at least 60 s in configuration; the charge's own timing (fixed at its start, as
    // the gateway passes it) is shortened here, through the gateway's own port to Temporal.
    const charge = newCharge({ payment_method: 'pm_1ThreeDSecure', return_url: RETURN_URL });
    requiresAction.add(charge.event_id);
    charges.set(charge.event_id, { eventId: charge.event_id });
    const { occurred_at: _o, ...request } = charge;
    const started = await createChargeWorkflows(
      temporal,
      service.config.temporal.taskQueue,
    ).startWithEarlyAnswer(
      {
        request: request as unknown as ChargeRequest,
        payload_hash: 'checkout-test',
        timing: { ...DEFAULT_CHARGE_TIMING, requires_action_window_seconds: 3 },
      },
      5_000,
    );
    assert.ok(started.kind === 'started' && started.early.kind === 'ready', JSON.stringify(started));
    assert.equal(started.early.record.status, 'requires_action');
    const pi = started.early.record.payment_intent_id ?? '';
    remember(charge.event_id, clientSecretOf(pi));
    assert.deepEqual((await get(charge.event_id))['next_action'], redirectNextAction(pi, RETURN_URL));

    const final: ChargeRecord = await result(charge.event_id);
    assert.equal(final.status, 'canceled');
    assert.equal(final.failure?.code, 'requires_action_expired');
    const cancels = proxy.requests.filter(
      (r) => r.method === 'POST' && r.path === `/v1/payment_intents/${pi}/cancel`,
    );
    assert.equal(cancels.length, 1, 'canceled at Stripe');
    const records = await readRecordsFor(
      ['payments.completed', 'payments.failed'],
      new Set([charge.event_id]),
    );
    assert.deepEqual(
      records.map((r) => [r.topic, r.value['status']]),
      [['payments.failed', 'canceled']],
    );
    const gone = await get(charge.event_id);
    assert.equal('client_secret' in gone, false);
  });

  it('with no worker polling, POST with Prefer waits N s, then answers the plain 202 (one 202 among concurrent identical POSTs)', async () => {
    const gateway = await startTestService({
      PAYMENTS_MODE: 'gateway',
      TEMPORAL_TASK_QUEUE: `no-worker-checkout-${randomUUID()}`,
    });
    const charge = newCharge();
    try {
      const answers = await Promise.all([1, 2, 3].map(() => post(gateway.url, charge, 'wait=2')));
      assert.deepEqual(
        answers.map((a) => a.status).sort(),
        [200, 200, 202],
        JSON.stringify(answers.map((a) => a.json)),
      );
      const started = answers.find((a) => a.status === 202);
      // The one that started it waited the 2 s asked for; the repeats may learn sooner that no
      // worker answers (a refused query), and answer the plain 200 at once.
      assert.ok((started?.ms ?? 0) >= 1_900, `waited the 2 s asked for (${started?.ms} ms)`);
      for (const answer of answers) {
        assert.equal(answer.headers.get('preference-applied'), null);
        assert.ok(answer.ms < 2_000 + 6_000, `then answered promptly (${answer.ms} ms)`);
      }
      const description = await temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).describe();
      assert.equal(started?.json['run_id'], description.runId);
    } finally {
      await temporal.workflow
        .getHandle(chargeWorkflowId(charge.event_id))
        .terminate('test over')
        .catch(() => undefined);
      await gateway.stop();
    }
  });

  it('a storefront polling GET for a waiting browser charge: the client_secret and next_action from the workflow, no Stripe call', async () => {
    const charge = newCharge();
    assert.equal((await post(service.url, charge)).status, 202);
    const pi = await waitUntil(async () => {
      const shown = await get(charge.event_id);
      return typeof shown['client_secret'] === 'string' ? String(shown['payment_intent_id']) : undefined;
    }, 'the client_secret in GET');
    remember(charge.event_id, clientSecretOf(pi));
    // Every Stripe request about this charge: its create, and nothing a read would make.
    const aboutIt = () =>
      proxy.requests
        .filter((r) => r.eventId === charge.event_id || r.path.includes(pi))
        .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(aboutIt(), ['POST /v1/payment_intents']);

    for (let poll = 0; poll < 10; poll++) {
      const shown = await get(charge.event_id);
      assert.equal(shown['status'], 'pending');
      assert.equal(shown['client_secret'], clientSecretOf(pi));
      assert.equal(shown['next_action'], null);
    }
    const repeat = await post(service.url, charge, 'wait=5');
    assert.equal(repeat.status, 200);
    assert.equal(repeat.json['client_secret'], clientSecretOf(pi));

    // The customer's bank asks for 3-D Secure: Stripe's event carries the next_action.
    const nextAction = redirectNextAction(pi, RETURN_URL);
    await deliver('payment_intent.requires_action', charge.event_id, pi, 'requires_action', nextAction);
    const acting = await waitUntil(async () => {
      const shown = await get(charge.event_id);
      return shown['status'] === 'requires_action' ? shown : undefined;
    }, 'requires_action in GET');
    assert.deepEqual(acting['next_action'], nextAction);
    assert.equal(acting['client_secret'], clientSecretOf(pi));
    assert.deepEqual(aboutIt(), ['POST /v1/payment_intents'], 'no GET or early answer called Stripe');
    await temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).terminate('test over');
  });

  it('a charge whose create carried no client_secret (as one started before it was kept): the workflow reads it once, on the Stripe task queue, for every GET', async () => {
    const charge = newCharge();
    withoutSecretOnCreate.add(charge.event_id);
    assert.equal((await post(service.url, charge)).status, 202);
    const handle = temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.event_id));
    const pi = await waitUntil(
      async () => (await handle.query(chargeStateQuery)).payment_intent_id ?? undefined,
      'the PaymentIntent',
    );
    assert.equal('client_secret' in (await handle.query(chargeStateQuery)), false, 'not held');
    remember(charge.event_id, clientSecretOf(pi));

    const answers = await Promise.all([1, 2, 3].map(() => get(charge.event_id)));
    assert.deepEqual(
      answers.map((a) => a['client_secret']),
      [1, 2, 3].map(() => clientSecretOf(pi)),
    );
    const retrieves = () =>
      proxy.requests.filter((r) => r.method === 'GET' && r.path.split('?')[0] === `/v1/payment_intents/${pi}`)
        .length;
    assert.equal(retrieves(), 1, 'one read for three GETs');
    for (let poll = 0; poll < 5; poll++)
      assert.equal((await get(charge.event_id))['client_secret'], clientSecretOf(pi));
    assert.equal(retrieves(), 1, 'held from then on: later GETs are queries');

    // The read was the workflow's retrieve activity, scheduled on the rate-limited Stripe task queue.
    const history = JSON.parse(
      execFileSync(TEMPORAL_CLI, [
        'workflow',
        'show',
        '--address',
        stack.temporalAddress,
        '-w',
        chargeWorkflowId(charge.event_id),
        '--output',
        'json',
      ]).toString('utf8'),
    ) as {
      events: Array<{
        activityTaskScheduledEventAttributes?: {
          activityType?: { name?: string };
          taskQueue?: { name?: string };
        };
      }>;
    };
    const reads = history.events.flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      return scheduled?.activityType?.name === 'retrievePaymentIntent' ? [scheduled.taskQueue?.name] : [];
    });
    assert.deepEqual(reads, [`${service.config.temporal.taskQueue}-stripe`]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /payments_transitional_charge_reads_total\{outcome="read"[^}]*\} [1-9]/);
    await handle.terminate('test over');
  });

  it('no client_secret in Temporal history, descriptions, current details, Kafka records, log lines or metrics', async () => {
    const scanned = [...charges.values()];
    const secrets = scanned.flatMap((c) => (c.secret ? [c.secret] : []));
    assert.ok(secrets.length >= 4, `secrets handed out to scan for (${secrets.length})`);
    const findings: string[] = [];
    const look = (where: string, text: string) => {
      for (const secret of secrets) if (text.includes(secret)) findings.push(`${where}: a client_secret`);
      if (SECRET_SHAPE.test(text)) findings.push(`${where}: something shaped like a client_secret`);
    };
    for (const { eventId } of scanned) {
      const workflowId = chargeWorkflowId(eventId);
      const cli = (command: string) =>
        execFileSync(TEMPORAL_CLI, [
          'workflow',
          command,
          '--address',
          stack.temporalAddress,
          '-w',
          workflowId,
          '--output',
          'json',
        ]).toString('utf8');
      const history = cli('show');
      assert.ok(
        history.includes('WorkflowExecutionStarted') ||
          history.includes('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
      );
      look(`history of ${workflowId}`, history);
      look(`description of ${workflowId}`, cli('describe'));
      // The payloads are base64 in the CLI's JSON: decode each, so a secret inside one is seen too.
      for (const data of history.match(/"data":\s*"([A-Za-z0-9+/=]+)"/g) ?? []) {
        const base64 = /"([A-Za-z0-9+/=]+)"$/.exec(data)?.[1] ?? '';
        look(`a payload in the history of ${workflowId}`, Buffer.from(base64, 'base64').toString('utf8'));
      }
      const handle = temporal.workflow.getHandle(workflowId);
      const metadata = await handle
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata')
        .catch(() => undefined);
      look(`current details of ${workflowId}`, metadata?.currentDetails ?? '');
    }
    const records = await readRecordsFor(
      ['payments.completed', 'payments.failed'],
      new Set(scanned.map((c) => c.eventId)),
    );
    assert.ok(records.length >= 2, `Kafka records to scan (${records.length})`);
    for (const record of records)
      look(`Kafka record ${record.topic}@${record.offset}`, JSON.stringify(record));
    assert.ok(service.logs.length > 0);
    service.logs.forEach((line, i) => look(`log line ${i + 1}`, JSON.stringify(line)));
    look('/metrics', await (await fetch(`${service.url}/metrics`)).text());
    assert.deepEqual(findings, []);
  });
});
