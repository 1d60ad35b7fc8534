/**
 * A checkout the customer can finish, on the real stack (Temporal dev server, Kafka, the Stripe
 * test-mode stand-in in front of stripe-mock: each PaymentIntent with its own client_secret, the
 * customer's card and 3-D Secure played through its control API, its signed webhooks sent to the
 * service):
 *   - POST /charge with `Prefer: wait=5` answers 201 with the charge, its client_secret and
 *     next_action (update-with-start); a repeat answers 200 the same way; without Prefer, 202;
 *   - requires_action end to end: next_action shown, the customer completes 3-D Secure and Stripe's
 *     payment_intent.succeeded completes the charge; the customer-window timeout still cancels one
 *     left unfinished, at Stripe;
 *   - with no worker polling, a POST with Prefer waits, then answers the plain 202 (one 202 among
 *     concurrent identical POSTs);
 *   - a storefront polling GET for a waiting browser charge gets the client_secret (and, after a
 *     requires_action event, its next_action) from the workflow: no Stripe call (the recorder counts);
 *   - a charge whose create carried no client_secret (as one started before the workflow kept it) has
 *     the workflow read it once, with its retrieve activity on the Stripe task queue, for every GET
 *     (a service of its own; the stand-in's answer to its create is patched without the secret, which
 *     Stripe always sends);
 *   - the secret stays between Stripe, the gateway's caller, the customer and the workflow's encrypted
 *     state (the webhooks delivered here carry it in their PaymentIntent, as Stripe's do): none in the
 *     charge's whole Temporal history read raw (`temporal workflow show --output json`), its description
 *     (memo, search attributes, summaries), its current details, the Kafka records, the services' log
 *     lines or their metrics.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
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
import { AUTH_HEADER, startTestService, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { standinServiceForSuite } from '../support/standin-suite';
import { waitUntil } from '../support/wait';

const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');
const RETURN_URL = 'https://shop.example/checkout/complete';
/** Anything shaped like a PaymentIntent's client_secret (the secret scan's pattern). */
const SECRET_SHAPE = /_secret_[A-Za-z0-9]+/;
/** Stripe's 3-D Secure test card: the bank asks the customer to authenticate. */
const THREE_D_SECURE = 'pm_card_threeDSecure2Required';

type Json = Record<string, unknown>;

function newCharge(extra: Json = {}): Json & { event_id: string; order_id: string } {
  const id = randomUUID();
  return { event_id: `evt-co-${id}`, order_id: `order-co-${id}`, amount: 1999, currency: 'usd', ...extra };
}

describe('a checkout the customer can finish (real stack)', { timeout: 180_000 }, () => {
  const suite = standinServiceForSuite({ chargeDefaults: { amount: 1999, currency: 'usd' } });
  /** Every charge this file makes, and the client_secret Stripe gave it: scanned for at the end. */
  const charges = new Map<string, { eventId: string; secret?: string }>();
  /** Services besides the suite's whose log lines and metrics the scan reads too. */
  const otherServices: TestService[] = [];
  /** The client_secret Stripe keeps for this PaymentIntent. */
  const secretAt = async (pi: string): Promise<string> =>
    String((await suite.standin.control.paymentIntent(pi))['client_secret']);
  /** Its next_action at Stripe (3-D Secure's redirect, with the return_url). */
  const nextActionAt = async (pi: string): Promise<unknown> =>
    (await suite.standin.control.paymentIntent(pi))['next_action'];

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
  const get = async (eventId: string, url = suite.service.url) => {
    const res = await fetch(`${url}/charges/${eventId}`, { headers: AUTH_HEADER });
    assert.equal(res.status, 200);
    return (await res.json()) as Json;
  };
  const result = (eventId: string) =>
    suite.temporal.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(eventId)).result();
  const remember = async (eventId: string, pi: string) =>
    charges.set(eventId, { eventId, secret: await secretAt(pi) });

  it('POST with Prefer: wait=5 answers 201 with the charge, its client_secret and next_action; GET and a repeat the same', async () => {
    const charge = newCharge();
    const res = await post(suite.service.url, charge, 'wait=5');
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.equal(res.headers.get('preference-applied'), 'wait=5');
    assert.equal(res.headers.get('location'), `/charges/${charge.event_id}`);
    const pi = String(res.json['payment_intent_id']);
    assert.match(pi, /^pi_/);
    assert.equal(res.json['status'], 'pending');
    const secret = await secretAt(pi);
    assert.equal(res.json['client_secret'], secret, 'the secret Stripe gave this PaymentIntent');
    assert.equal(res.json['next_action'], null);
    assert.equal(res.json['duplicate'], false);
    assert.equal(res.json['workflow_id'], chargeWorkflowId(charge.event_id));
    assert.match(String(res.json['run_id']), /^[0-9a-f-]{36}$/);
    await remember(charge.event_id, pi);

    const { workflow_id: _w, run_id: _r, status_url: _s, duplicate: _d, ...asShown } = res.json;
    assert.deepEqual(await get(charge.event_id), asShown, 'the charge as GET shows it');

    const repeat = await post(suite.service.url, charge, 'wait=5');
    assert.equal(repeat.status, 200);
    assert.equal(repeat.headers.get('preference-applied'), 'wait=5');
    assert.equal(repeat.json['duplicate'], true);
    assert.equal(repeat.json['client_secret'], secret);
    assert.equal(repeat.json['run_id'], res.json['run_id']);

    // The customer pays in the browser; Stripe says so. Final: neither secret nor action.
    await suite.standin.control.confirm(pi, 'pm_card_visa');
    assert.equal((await result(charge.event_id)).status, 'succeeded');
    const final = await get(charge.event_id);
    assert.equal('client_secret' in final, false);
    assert.equal('next_action' in final, false);
    const plainRepeat = await post(suite.service.url, charge, 'wait=5');
    assert.equal(plainRepeat.status, 200);
    assert.equal(plainRepeat.json['status'], 'succeeded');
    assert.equal('client_secret' in plainRepeat.json, false);
  });

  it('POST without Prefer answers the fast 202 as before; GET then carries the client_secret', async () => {
    const charge = newCharge();
    const res = await post(suite.service.url, charge);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('preference-applied'), null);
    assert.equal('client_secret' in res.json, false);
    const pi = await waitUntil(
      async () => ((await get(charge.event_id))['payment_intent_id'] as string | null) ?? undefined,
      'the PaymentIntent',
    );
    assert.equal((await get(charge.event_id))['client_secret'], await secretAt(pi));
    await remember(charge.event_id, pi);
    await suite.temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).terminate('test over');
  });

  // The customer confirms in the browser with a card whose bank asks. (A charge the service confirms
  // itself asks only with a return_url: test/integration/stripe-truth.test.ts.)
  it("requires_action end to end: the customer's bank asks for 3-D Secure, next_action shown, completed, Stripe's payment_intent.succeeded completes it", async () => {
    const charge = newCharge();
    const res = await post(suite.service.url, charge, 'wait=5');
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const pi = String(res.json['payment_intent_id']);
    await remember(charge.event_id, pi);
    const confirmed = await suite.standin.control.confirm(pi, THREE_D_SECURE, RETURN_URL);
    assert.equal(confirmed.payment_intent.status, 'requires_action');
    const nextAction = await nextActionAt(pi);
    assert.equal(
      (nextAction as { redirect_to_url?: { return_url?: string } }).redirect_to_url?.return_url,
      RETURN_URL,
    );
    await waitUntil(
      async () => ((await get(charge.event_id))['status'] === 'requires_action' ? true : undefined),
      'requires_action in GET',
    );
    const shown = await get(charge.event_id);
    assert.equal(shown['status'], 'requires_action');
    assert.deepEqual(shown['next_action'], nextAction);

    // The customer completes 3-D Secure in the browser; Stripe signs the outcome.
    await suite.standin.control.authenticate(pi, 'complete');
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
    const charge = newCharge();
    charges.set(charge.event_id, { eventId: charge.event_id });
    const { occurred_at: _o, ...request } = charge;
    const started = await createChargeWorkflows(
      suite.temporal,
      suite.service.config.temporal.taskQueue,
    ).startWithEarlyAnswer(
      {
        request: request as unknown as ChargeRequest,
        payload_hash: 'checkout-test',
        timing: { ...DEFAULT_CHARGE_TIMING, requires_action_window_seconds: 3 },
      },
      5_000,
    );
    assert.ok(started.kind === 'started' && started.early.kind === 'ready', JSON.stringify(started));
    const pi = started.early.record.payment_intent_id ?? '';
    await remember(charge.event_id, pi);
    // The customer starts paying, the bank asks for 3-D Secure, and the customer walks away.
    await suite.standin.control.confirm(pi, THREE_D_SECURE, RETURN_URL);
    const acting = await waitUntil(async () => {
      const shown = await get(charge.event_id);
      return shown['status'] === 'requires_action' ? shown : undefined;
    }, 'requires_action in GET');
    assert.deepEqual(acting['next_action'], await nextActionAt(pi));

    const final: ChargeRecord = await result(charge.event_id);
    assert.equal(final.status, 'canceled');
    assert.equal(final.failure?.code, 'requires_action_expired');
    const { data: cancels } = await suite.standin.control.requests({
      method: 'POST',
      path: `/v1/payment_intents/${pi}/cancel`,
    });
    assert.equal(cancels.length, 1, 'one cancel sent to Stripe');
    assert.equal((await suite.standin.control.paymentIntent(pi)).status, 'canceled', 'canceled at Stripe');
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
      const description = await suite.temporal.workflow
        .getHandle(chargeWorkflowId(charge.event_id))
        .describe();
      assert.equal(started?.json['run_id'], description.runId);
    } finally {
      await suite.temporal.workflow
        .getHandle(chargeWorkflowId(charge.event_id))
        .terminate('test over')
        .catch(() => undefined);
      await gateway.stop();
    }
  });

  it('a storefront polling GET for a waiting browser charge: the client_secret and next_action from the workflow, no Stripe call', async () => {
    const charge = newCharge();
    assert.equal((await post(suite.service.url, charge)).status, 202);
    const pi = await waitUntil(async () => {
      const shown = await get(charge.event_id);
      return typeof shown['client_secret'] === 'string' ? String(shown['payment_intent_id']) : undefined;
    }, 'the client_secret in GET');
    await remember(charge.event_id, pi);
    const secret = await secretAt(pi);
    // Every Stripe request about this charge: its create, and nothing a read would make.
    const aboutIt = async () =>
      (await suite.standin.control.requests()).data
        .filter((r) => r.params['metadata[event_id]'] === charge.event_id || r.path.includes(pi))
        .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(await aboutIt(), ['POST /v1/payment_intents']);

    for (let poll = 0; poll < 10; poll++) {
      const shown = await get(charge.event_id);
      assert.equal(shown['status'], 'pending');
      assert.equal(shown['client_secret'], secret);
      assert.equal(shown['next_action'], null);
    }
    const repeat = await post(suite.service.url, charge, 'wait=5');
    assert.equal(repeat.status, 200);
    assert.equal(repeat.json['client_secret'], secret);

    // The customer pays with a card whose bank asks for 3-D Secure: Stripe's event carries the next_action.
    await suite.standin.control.confirm(pi, THREE_D_SECURE, RETURN_URL);
    const nextAction = await nextActionAt(pi);
    const acting = await waitUntil(async () => {
      const shown = await get(charge.event_id);
      return shown['status'] === 'requires_action' ? shown : undefined;
    }, 'requires_action in GET');
    assert.deepEqual(acting['next_action'], nextAction);
    assert.equal(acting['client_secret'], secret);
    assert.deepEqual(await aboutIt(), ['POST /v1/payment_intents'], 'no GET or early answer called Stripe');
    await suite.temporal.workflow.getHandle(chargeWorkflowId(charge.event_id)).terminate('test over');
  });

  it('a charge whose create carried no client_secret (as one started before it was kept): the workflow reads it once, on the Stripe task queue, for every GET', async () => {
    // A service of its own whose create is answered without the secret (as the results recorded
    // before the workflow kept it; Stripe always sends it, so the stand-in's answer is patched);
    // retrieves answer with it.
    const older = await startTestService({ STRIPE_API_BASE: suite.standin.url });
    otherServices.push(older);
    await suite.standin.control.injectFault({
      method: 'POST',
      path: '/^\\/v1\\/payment_intents$/',
      mode: 'patch',
      patch: { client_secret: null, next_action: null },
    });
    try {
      await olderCharge(older);
    } finally {
      await suite.standin.control.clearFaults();
      await older.stop();
    }
  });

  async function olderCharge(older: TestService): Promise<void> {
    const charge = newCharge();
    assert.equal((await post(older.url, charge)).status, 202);
    const handle = suite.temporal.workflow.getHandle<typeof ChargeWorkflow>(
      chargeWorkflowId(charge.event_id),
    );
    const pi = await waitUntil(
      async () => (await handle.query(chargeStateQuery)).payment_intent_id ?? undefined,
      'the PaymentIntent',
    );
    assert.equal('client_secret' in (await handle.query(chargeStateQuery)), false, 'not held');
    const secret = await secretAt(pi);
    charges.set(charge.event_id, { eventId: charge.event_id, secret });

    const answers = await Promise.all([1, 2, 3].map(() => get(charge.event_id, older.url)));
    assert.deepEqual(
      answers.map((a) => a['client_secret']),
      [secret, secret, secret],
    );
    const retrieves = async () =>
      (await suite.standin.control.requests({ method: 'GET', path: `/v1/payment_intents/${pi}` })).data
        .length;
    assert.equal(await retrieves(), 1, 'one read for three GETs');
    for (let poll = 0; poll < 5; poll++)
      assert.equal((await get(charge.event_id, older.url))['client_secret'], secret);
    assert.equal(await retrieves(), 1, 'held from then on: later GETs are queries');

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
    assert.deepEqual(reads, [`${older.config.temporal.taskQueue}-stripe`]);
    const metrics = await (await fetch(`${older.url}/metrics`)).text();
    assert.match(metrics, /payments_transitional_charge_reads_total\{outcome="read"[^}]*\} [1-9]/);
    await handle.terminate('test over');
  }

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
      const handle = suite.temporal.workflow.getHandle(workflowId);
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
    for (const [n, scannedService] of [suite.service, ...otherServices].entries()) {
      assert.ok(scannedService.logs.length > 0);
      scannedService.logs.forEach((line, i) =>
        look(`service ${n + 1}, log line ${i + 1}`, JSON.stringify(line)),
      );
    }
    look('/metrics', await (await fetch(`${suite.service.url}/metrics`)).text());
    assert.deepEqual(findings, []);
  });
});
