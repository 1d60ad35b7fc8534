/**
 * npm run record-histories [-- <name> ...]
 *
 * Runs each ChargeWorkflow, RefundsWorkflow and DisputeWorkflow path for real (local stack; Stripe is
 * the test-mode stand-in, tools/stripe-standin, a private instance in front of the stack's
 * stripe-mock) and saves its event history under test/replay/histories/standin/<name>.json. The
 * replay test replays them all, so a change that makes the workflow non-deterministic fails CI.
 * Re-record only for an intentional, versioned change of the workflow; with names, only those paths
 * are recorded (a new path is added without touching the histories already committed). The
 * histories recorded earlier against stripe-mock (test/replay/histories/*.json) stay: they guard
 * runs in flight.
 *
 * The stand-in keeps each PaymentIntent's state, so a path is driven as it happens: the customer
 * confirms with Stripe's test cards (or fails 3-D Secure, or lets a hold lapse) through its control
 * API, and the workflow meets Stripe's real answers (a cancel refused because the payment succeeded,
 * a retrieve that finds it paid, a search that finds it by metadata). Its fault control plays an
 * outage (`before`), a lost answer, a request held while the test acts, and — only for answers the
 * stand-in does not model or Stripe never gives — a patched answer (`patch`). The webhooks a path
 * needs are signalled as the receiver signals them (no endpoint is registered), so each history
 * holds exactly the events its path is named for. Each recording checks that its run took that path
 * before saving.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { createChargeWorkflows, type ChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import {
  chargeWorkflowId,
  DEFAULT_CAPTURE_POLICY,
  DEFAULT_CHARGE_TIMING,
  type CapturePolicy,
  type CaptureRequest,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeStatus,
  type ChargeTiming,
} from '../../src/contracts/charge';
import { refundsWorkflowId, type RefundsWorkflowInput } from '../../src/contracts/refund';
import { lateOutcomeWorkflowId } from '../../src/contracts/late-outcome';
import {
  cancelChargeUpdate,
  captureChargeUpdate,
  chargeStateQuery,
  loadClientSecretUpdate,
  refundsQuery,
  stripeEventSignal,
} from '../../src/workflows/messages';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { DisputeEventPayload, PaymentEventPayload } from '../../src/contracts/payment-provider';
import { createDisputeWorkflows } from '../../src/api/temporal/dispute-workflows';
import { disputeWorkflowId, type DisputeChange, type DisputeTiming } from '../../src/contracts/dispute';
import type { DisputeWorkflow } from '../../src/workflows/dispute';
import { lifecycleOf, type DisputePath } from '../support/dispute-model';
import { testKafka } from '../support/kafka-reader';
import { startTestService, type TestService } from '../support/service';
import { stack } from '../support/stack';
import { startTestStandin, type TestStandin } from '../support/stripe-standin';
import type { StandinControl } from '../../tools/stripe-standin/control-client';
import { waitUntil } from '../support/wait';
import { createTimeSkippingEnv } from '../support/workflow-env';
import { localCodec, localDataConverter } from '../support/codec';

const { EventType } = temporal.api.enums.v1;
const OUT = path.join(__dirname, 'histories', 'standin');
const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');

/**
 * Histories are recorded from today's code under `<generation>-<path>`, the generation of the
 * workflow the path records: ChargeWorkflow's is `v3-` (since charge-each-stripe-word-apart), the
 * others' `v2-`. The older ones stay beside them, as they guard runs already in flight.
 */
const GENERATION: Readonly<Record<string, string>> = {
  ChargeWorkflow: 'v3-',
  RefundsWorkflow: 'v2-',
  DisputeWorkflow: 'v2-',
};

/** Saves a workflow's history in the standard JSON format (which historyFromJSON reads). */
function save(path_: string, workflowId: string, address = stack.temporalAddress): number {
  const json = execFileSync(TEMPORAL_CLI, [
    'workflow',
    'show',
    '--address',
    address,
    '-w',
    workflowId,
    '--output',
    'json',
  ]);
  const history = JSON.parse(json.toString('utf8')) as {
    events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }>;
  };
  const type = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
  const generation = GENERATION[type];
  if (generation === undefined) throw new Error(`${path_}: no generation for a ${type} history`);
  const name = `${generation}${path_}`;
  fs.writeFileSync(path.join(OUT, `${name}.json`), json);
  return history.events.length;
}

/** What every recording works with: the dev server, the worker's service, the Stripe stand-in. */
interface Recorder {
  readonly client: Client;
  readonly service: TestService;
  readonly standin: TestStandin;
}

/** What a scenario's customer, bank and webhooks do once the PaymentIntent exists. */
interface Drive {
  /** The stand-in's control API: the customer's browser, the bank. */
  readonly stripe: StandinControl;
  readonly pi: string;
  /** Delivers a webhook's payload as the receiver does (the charge's signal). */
  readonly signal: (event: PaymentEventPayload) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// ChargeWorkflow paths driven from outside: faults before the start, signals, a cancel.

interface Scenario {
  readonly name: string;
  readonly request?: Partial<ChargeRequest>;
  readonly timing?: Partial<ChargeTiming>;
  /** Faults at the stand-in before the charge starts. */
  readonly before?: (stripe: StandinControl) => Promise<unknown>;
  /** Once the PaymentIntent exists (and, manual capture, is authorized): the customer, bank, webhooks. */
  readonly drive?: (drive: Drive) => Promise<void>;
  /** Cancel the charge through its update once the PaymentIntent exists. */
  readonly cancel?: boolean;
  /** Manual capture: capture through the update once the charge is authorized. */
  readonly capture?: CaptureRequest;
  /** Manual capture: the hold's policy the charge starts with (over the defaults). */
  readonly capturePolicy?: Partial<CapturePolicy>;
  /**
   * Start it as POST /charge with `Prefer: wait=N` does: update-with-start, the update answering once
   * the PaymentIntent exists.
   */
  readonly earlyAnswer?: boolean;
  /** What the early answer (earlyAnswer) must say, given the secret Stripe keeps. */
  readonly early?: (record: ChargeRecord, secretAtStripe: string) => void;
  /** Before `drive`: ask for the client_secret as the gateway does for a charge that lacks it. */
  readonly loadClientSecret?: (record: ChargeRecord, secretAtStripe: string) => void;
  /** How the run must end for its history to be the path it is named for. */
  readonly expect: { readonly status: ChargeStatus; readonly failureCode?: string };
}

const at = (type: string, created: number, pi: string, id = `evt_${randomUUID()}`): PaymentEventPayload => ({
  stripe_event_id: id,
  type,
  created,
  payment_intent_id: pi,
  payment_intent_status: type.replace('payment_intent.', ''),
  failure: null,
});

/** The stand-in's fault paths (a pattern between slashes, or a prefix). */
const PAYMENT_INTENT_CREATE = { method: 'POST', path: '/^\\/v1\\/payment_intents$/' };
const REFUND_CREATE = { method: 'POST', path: '/^\\/v1\\/refunds$/' };
/** The requests in flight at the stand-in count by prefix: creates (POST) are the only ones there. */
const PAYMENT_INTENT_HELD = { method: 'POST', path: '/v1/payment_intents' };

/** The money every recorded charge asks. */
const RECORDED_MONEY = { amount: 2599, currency: 'usd' } as const;

/** Stripe's test cards (docs.stripe.com/testing), as the stand-in applies them. */
const CARD = 'pm_card_visa';
const DECLINED_CARD = 'pm_card_chargeDeclined';
const THREE_D_SECURE_CARD = 'pm_card_threeDSecure2Required';
const RETURN_URL = 'https://shop.example/checkout/complete';

/** A manual-capture charge: the card is authorized, Stripe holds the money (requires_capture). */
const MANUAL = { payment_method: CARD, capture: 'manual' } as const;

/** The customer pays in the browser with the test card that succeeds. */
const customerPays = ({ stripe, pi }: Drive) => stripe.confirm(pi, CARD);

const SCENARIOS: Scenario[] = [
  {
    // Authorize at order, capture at shipment: part of the hold is captured, the rest released.
    name: 'manual-capture-partial',
    request: MANUAL,
    capture: { amount: 1500 },
    expect: { status: 'succeeded' },
  },
  {
    // The order cannot ship: the caller cancels and the hold is voided at Stripe.
    name: 'manual-capture-voided',
    request: MANUAL,
    cancel: true,
    expect: { status: 'canceled', failureCode: 'canceled' },
  },
  {
    // Never captured: a margin before the hold expires, the workflow voids it and announces it.
    name: 'manual-capture-hold-expired',
    request: MANUAL,
    capturePolicy: { hold_default_seconds: 3, expiry_margin_seconds: 1 },
    expect: { status: 'canceled', failureCode: 'authorization_expired' },
  },
  {
    // The bank lets the hold lapse first and Stripe cancels it (payment_intent.canceled): the charge
    // ends canceled, expired.
    name: 'manual-capture-stripe-expired-first',
    request: MANUAL,
    drive: async ({ stripe, pi, signal }) => {
      await stripe.expireAuthorization(pi);
      await signal(at('payment_intent.canceled', 200, pi));
    },
    expect: { status: 'canceled', failureCode: 'authorization_expired' },
  },
  {
    // The storefront's path: POST /charge with Prefer: wait=5 starts the charge with its early answer
    // (update-with-start); the confirmation with Stripe's 3-D Secure card answers requires_action (a
    // redirect back to return_url); the customer authenticates; Stripe's webhook says succeeded.
    name: 'early-answer-requires-action',
    earlyAnswer: true,
    request: { payment_method: THREE_D_SECURE_CARD, return_url: RETURN_URL },
    drive: async ({ stripe, pi, signal }) => {
      await stripe.authenticate(pi, 'complete');
      await signal(at('payment_intent.succeeded', 100, pi));
    },
    expect: { status: 'succeeded' },
  },
  {
    // The browser path with the secret held in the workflow's state: the early answer carries the
    // create's client_secret; the customer's 3-D Secure card brings a requires_action event whose
    // next_action is kept; the customer authenticates and success ends it.
    name: 'browser-secret-in-state',
    earlyAnswer: true,
    early: (record, secret) => assert.equal(record.client_secret, secret),
    drive: async ({ stripe, pi, signal }) => {
      const { payment_intent: acting } = await stripe.confirm(pi, THREE_D_SECURE_CARD, RETURN_URL);
      assert.equal(acting.status, 'requires_action');
      await signal({
        ...at('payment_intent.requires_action', 100, pi),
        client_secret: String(acting['client_secret']),
        next_action: acting['next_action'] as PaymentEventPayload['next_action'],
      });
      const { payment_intent: paid } = await stripe.authenticate(pi, 'complete');
      await signal({
        ...at('payment_intent.succeeded', 200, pi),
        client_secret: String(paid['client_secret']),
        next_action: null,
      });
    },
    expect: { status: 'succeeded' },
  },
  {
    // A charge whose create carried no client_secret (as those started before the workflow kept it;
    // Stripe always sends it, so the stand-in's answer is patched): the gateway's loadClientSecret
    // has the workflow read it once with its retrieve activity.
    name: 'client-secret-read-for-older-charge',
    before: (stripe) =>
      stripe.injectFault({
        ...PAYMENT_INTENT_CREATE,
        mode: 'patch',
        patch: { client_secret: null, next_action: null },
      }),
    loadClientSecret: (record, secret) => assert.equal(record.client_secret, secret),
    drive: async (drive) => {
      await customerPays(drive);
      await drive.signal(at('payment_intent.succeeded', 200, drive.pi));
    },
    expect: { status: 'succeeded' },
  },
  { name: 'canceled-by-caller', cancel: true, expect: { status: 'canceled', failureCode: 'canceled' } },
  {
    name: 'webhook-success',
    drive: async (drive) => {
      await customerPays(drive);
      await drive.signal(at('payment_intent.succeeded', 100, drive.pi));
    },
    expect: { status: 'succeeded' },
  },
  {
    // Stripe's repeated and late webhooks, and one for another PaymentIntent, around the one that counts.
    name: 'duplicate-and-out-of-order-events',
    drive: async (drive) => {
      await customerPays(drive);
      const processing = at('payment_intent.processing', 200, drive.pi);
      for (const event of [
        processing,
        processing,
        at('payment_intent.requires_action', 100, drive.pi),
        at('payment_intent.succeeded', 300, 'pi_someone_else'),
        at('payment_intent.succeeded', 300, drive.pi),
      ])
        await drive.signal(event);
    },
    expect: { status: 'succeeded' },
  },
  {
    // A browser checkout: the first card is declined (the charge stays open, requires_payment_method),
    // the customer tries another card with the same client_secret and it succeeds.
    name: 'browser-decline-then-retry',
    drive: async ({ stripe, pi, signal }) => {
      const { decline } = await stripe.confirm(pi, DECLINED_CARD);
      assert.equal(decline?.code, 'card_declined');
      await signal({
        ...at('payment_intent.payment_failed', 100, pi),
        failure: { code: decline.code, message: decline.message },
      });
      await stripe.confirm(pi, CARD);
      await signal(at('payment_intent.succeeded', 200, pi));
    },
    expect: { status: 'succeeded' },
  },
  {
    // Server-confirmed with Stripe's declining test card: the create answers 402 card_declined, the
    // open PaymentIntent is canceled at Stripe, then payments.failed is published with the decline.
    name: 'server-decline-canceled',
    request: { payment_method: DECLINED_CARD },
    expect: { status: 'failed', failureCode: 'card_declined' },
  },
  {
    // Stripe reports the PaymentIntent with other money than the charge asked (an answer Stripe does
    // not give for a create it ran with our amount: patched): failed, amount_mismatch.
    name: 'amount-mismatch',
    request: { payment_method: CARD },
    before: (stripe) => stripe.injectFault({ ...PAYMENT_INTENT_CREATE, mode: 'patch', patch: { amount: 1 } }),
    expect: { status: 'failed', failureCode: 'amount_mismatch' },
  },
  {
    // Stripe answers the create with a 500 before running it: Temporal retries it under the same key.
    name: 'stripe-500-retried',
    before: (stripe) => stripe.injectFault({ ...PAYMENT_INTENT_CREATE, status: 500, mode: 'before' }),
    drive: async (drive) => {
      await customerPays(drive);
      await drive.signal(at('payment_intent.succeeded', 100, drive.pi));
    },
    expect: { status: 'succeeded' },
  },
  {
    // The customer pays, but no webhook comes: the reconciliation's retrieve finds it succeeded.
    name: 'reconciled-without-webhook',
    timing: { reconcile_after_seconds: 2 },
    drive: async (drive) => {
      await customerPays(drive);
    },
    expect: { status: 'succeeded' },
  },
  {
    // The customer's bank asks for 3-D Secure and the customer walks away: past the window the
    // workflow cancels the PaymentIntent at Stripe.
    name: 'requires-action-expired',
    timing: { requires_action_window_seconds: 2, reconcile_after_seconds: 60 },
    drive: async ({ stripe, pi, signal }) => {
      await stripe.confirm(pi, THREE_D_SECURE_CARD, RETURN_URL);
      await signal(at('payment_intent.requires_action', 100, pi));
    },
    expect: { status: 'canceled', failureCode: 'requires_action_expired' },
  },
  {
    // No webhook, and the customer never pays: every reconciliation finds requires_payment_method; at
    // the deadline the PaymentIntent is canceled and the charge ends canceled with charge_expired.
    name: 'charge-expired',
    timing: {
      reconcile_after_seconds: 1,
      reconcile_max_interval_seconds: 1,
      reconcile_deadline_seconds: 3,
    },
    expect: { status: 'canceled', failureCode: 'charge_expired' },
  },
  {
    // The caller cancels while the charge waits, but the customer has just paid (no webhook yet):
    // Stripe refuses the cancel (400 payment_intent_unexpected_state), the workflow asks Stripe for
    // the PaymentIntent, and its succeeded status decides (charge.ts, the cancel's catch branch).
    name: 'cancel-refused-by-stripe',
    cancel: true,
    drive: async (drive) => {
      await customerPays(drive);
    },
    expect: { status: 'succeeded' },
  },
];

async function recordScenario({ client, service, standin }: Recorder, scenario: Scenario): Promise<string> {
  const id = randomUUID();
  const request: ChargeRequest = {
    event_id: `evt-replay-${scenario.name}-${id}`,
    order_id: `order-replay-${id}`,
    ...RECORDED_MONEY,
    ...scenario.request,
  };
  const stripe = standin.control;
  await scenario.before?.(stripe);
  const secretAt = async (pi: string) => String((await stripe.paymentIntent(pi))['client_secret']);
  try {
    const ports = createChargeWorkflows(client, service.config.temporal.taskQueue);
    const input = {
      request,
      payload_hash: 'recorded',
      timing: { ...DEFAULT_CHARGE_TIMING, ...scenario.timing },
      ...(request.capture === 'manual'
        ? { capture_policy: { ...DEFAULT_CAPTURE_POLICY, ...scenario.capturePolicy } }
        : {}),
    };
    if (scenario.earlyAnswer) {
      const started = await ports.startWithEarlyAnswer(input, 5_000);
      assert.ok(started.kind === 'started' && started.early.kind === 'ready', JSON.stringify(started));
      const { record } = started.early;
      scenario.early?.(record, await secretAt(record.payment_intent_id ?? ''));
    } else {
      await ports.start(input);
    }
    const handle = client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
    if (scenario.drive || scenario.cancel || scenario.capture || scenario.loadClientSecret) {
      const pi = await paymentIntentOf(handle);
      if (request.capture === 'manual') {
        await waitUntil(
          async () => (await handle.query(chargeStateQuery)).status === 'authorized',
          `${handle.workflowId} to be authorized`,
        );
      }
      if (scenario.loadClientSecret) {
        assert.equal('client_secret' in (await handle.query(chargeStateQuery)), false, 'no secret held');
        scenario.loadClientSecret(await handle.executeUpdate(loadClientSecretUpdate), await secretAt(pi));
      }
      await scenario.drive?.({ stripe, pi, signal: (event) => handle.signal(stripeEventSignal, event) });
      if (scenario.capture) await handle.executeUpdate(captureChargeUpdate, { args: [scenario.capture] });
      if (scenario.cancel) await handle.executeUpdate(cancelChargeUpdate);
    }
    const final = await handle.result();
    assertOutcome(scenario.name, final, scenario.expect);
    await assertStripeAgrees(stripe, scenario.name, final);
    // The CLI writes the standard JSON history format that historyFromJSON (and the Web UI) read.
    return `${final.status} (${save(scenario.name, handle.workflowId)} events)`;
  } finally {
    await stripe.clearFaults();
  }
}

/**
 * What Stripe (the stand-in) holds agrees with the charge's end: one PaymentIntent for the event;
 * succeeded (and captured what the charge says) when the charge succeeded, canceled when it ended
 * canceled. amount_mismatch leaves it as it is (noted in the README).
 */
async function assertStripeAgrees(stripe: StandinControl, name: string, final: ChargeRecord): Promise<void> {
  const atStripe = await stripe.paymentIntentsFor(final.event_id);
  assert.equal(atStripe.length, 1, `${name}: one PaymentIntent for the event at Stripe`);
  const [pi] = atStripe;
  assert.equal(pi?.id, final.payment_intent_id, `${name}: the charge's PaymentIntent`);
  if (final.status === 'succeeded') assert.equal(pi?.status, 'succeeded', `${name}: paid at Stripe`);
  if (final.status === 'canceled') assert.equal(pi?.status, 'canceled', `${name}: canceled at Stripe`);
}

function paymentIntentOf(handle: WorkflowHandle): Promise<string> {
  return waitUntil(
    async () => (await handle.query(chargeStateQuery)).payment_intent_id ?? undefined,
    `the PaymentIntent of ${handle.workflowId}`,
  );
}

function assertOutcome(name: string, final: ChargeRecord, expect: Scenario['expect']): void {
  assert.equal(final.status, expect.status, `${name}: ${JSON.stringify(final)}`);
  if (expect.failureCode !== undefined) {
    assert.equal(final.failure?.code, expect.failureCode, `${name}: ${JSON.stringify(final)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// ChargeWorkflow paths that need more than one service and the stand-in's faults.

/**
 * The first create reaches Stripe (the card is charged) but its answer is lost, then Stripe is down
 * (500) for the rest of the create's 23 h schedule-to-close, so its idempotency key may have expired:
 * the workflow looks the PaymentIntent up by event_id before a new key, finds the one the first
 * attempt created and adopts it. 23 hours cannot pass on the dev server, so this path runs on the
 * stack's time-skipping test server (same worker code, real activities against the stand-in and
 * Kafka); its history replays like any other.
 */
async function recordAdoptedAfterKeyExpiry({ standin }: Recorder): Promise<string> {
  const name = 'adopted-after-key-expiry';
  // The recorder's first service installed the SDK runtime (the worker role's own).
  const env = await createTimeSkippingEnv({ quietRuntime: false, dataConverter: localDataConverter() });
  let service: TestService | undefined;
  try {
    service = await startTestService({
      TEMPORAL_ADDRESS: env.address,
      STRIPE_API_BASE: standin.url,
      LOG_LEVEL: 'error',
    });
    const id = randomUUID();
    const request: ChargeRequest = {
      event_id: `evt-replay-${name}-${id}`,
      order_id: `order-replay-${id}`,
      ...RECORDED_MONEY,
      payment_method: CARD,
    };
    // The first attempt runs and its answer is lost; every later one in the window meets the outage:
    // ~285 attempts at a 5-minute backoff cap fill 23 h.
    await standin.control.injectFault({ ...PAYMENT_INTENT_CREATE, status: 500, mode: 'lose_response' });
    await standin.control.injectFault({ ...PAYMENT_INTENT_CREATE, status: 500, count: 100_000 });
    await createChargeWorkflows(env.client, service.config.temporal.taskQueue).start({
      request,
      payload_hash: 'recorded',
      timing: DEFAULT_CHARGE_TIMING,
    });
    const handle = env.client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
    // Awaiting the result through the test environment's client lets the server skip time.
    const final = await handle.result();
    assertOutcome(name, final, { status: 'succeeded' });
    await assertStripeAgrees(standin.control, name, final);
    const { data: creates } = await standin.control.requests({
      method: 'POST',
      path: '/v1/payment_intents',
      event_id: request.event_id,
    });
    assert.ok(creates.length > 100, `create retried for the whole window (${creates.length} attempts)`);
    assert.ok(
      creates.every((r) => !r.idempotency_key?.endsWith(':g2')),
      'no second idempotency key: the lookup found the PaymentIntent',
    );
    return `${final.status} after ${creates.length} create attempts (${save(name, handle.workflowId, env.address)} events)`;
  } finally {
    await standin.control.clearFaults();
    await service?.stop();
    await env.teardown();
  }
}

/**
 * A service whose `variable` topic does not exist yet (the stack's broker creates none on demand):
 * `run` starts a charge; `publishing` waits until its outcome's publish has failed and is retried,
 * then creates the topic so a later attempt succeeds.
 */
async function withTopicMissingAtFirst(
  { standin }: Recorder,
  variable: 'PAYMENTS_COMPLETED_TOPIC' | 'PAYMENTS_FAILED_TOPIC',
  run: (
    service: TestService,
    publishing: (handle: WorkflowHandle<typeof ChargeWorkflow>) => Promise<void>,
    topicAppears: () => Promise<void>,
  ) => Promise<string>,
): Promise<string> {
  const topic = `${variable
    .toLowerCase()
    .replace(/_topic$/, '')
    .replace('_', '.')}.replay-${randomUUID()}`;
  const admin = testKafka().admin();
  await admin.connect();
  let service: TestService | undefined;
  try {
    service = await startTestService({ STRIPE_API_BASE: standin.url, LOG_LEVEL: 'error', [variable]: topic });
    const publishing = async (handle: WorkflowHandle<typeof ChargeWorkflow>): Promise<void> => {
      await waitUntil(async () => {
        const { raw } = await handle.describe();
        return (raw.pendingActivities ?? []).some(
          (a) => a.activityType?.name === 'publishPaymentEvent' && (a.attempt ?? 0) >= 2 && a.lastFailure,
        );
      }, 'the publish to fail and be retried');
    };
    const topicAppears = async () => {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    };
    return await run(service, publishing, topicAppears);
  } finally {
    await standin.control.clearFaults();
    await service?.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** A charge started as the gateway starts it, on `service`'s task queue. */
async function startRecordedCharge(
  client: Client,
  service: TestService,
  request: ChargeRequest,
): Promise<WorkflowHandle<typeof ChargeWorkflow>> {
  await createChargeWorkflows(client, service.config.temporal.taskQueue).start({
    request,
    payload_hash: 'recorded',
    timing: DEFAULT_CHARGE_TIMING,
  });
  return client.workflow.getHandle<typeof ChargeWorkflow>(chargeWorkflowId(request.event_id));
}

/** The outcome's Kafka publish fails, Temporal retries it, and once the topic exists it succeeds. */
function recordKafkaPublishRetried(recorder: Recorder): Promise<string> {
  const name = 'kafka-publish-retried';
  return withTopicMissingAtFirst(
    recorder,
    'PAYMENTS_COMPLETED_TOPIC',
    async (service, publishing, topicAppears) => {
      const id = randomUUID();
      const handle = await startRecordedCharge(recorder.client, service, {
        event_id: `evt-replay-${name}-${id}`,
        order_id: `order-replay-${id}`,
        ...RECORDED_MONEY,
      });
      const pi = await paymentIntentOf(handle);
      await recorder.standin.control.confirm(pi, CARD);
      await handle.signal(stripeEventSignal, at('payment_intent.succeeded', 100, pi));
      await publishing(handle);
      await topicAppears();
      const final = await handle.result();
      assertOutcome(name, final, { status: 'succeeded' });
      return `${final.status} (${save(name, handle.workflowId)} events)`;
    },
  );
}

/**
 * A server-confirmed decline is announced failed; while its payments.failed publish is still being
 * retried, a webhook reports the money taken. The charge hands that to its LateOutcomeWorkflow (a
 * child it abandons) before it closes; the handling settles it. Stripe would not send this webhook
 * here (the workflow canceled the PaymentIntent, as the stand-in shows), so the handling's refund is
 * refused; what this records is the charge's hand-over. test/integration/late-outcome.test.ts walks
 * a path Stripe can take to a late success.
 */
function recordLateSuccessWhilePublishing(recorder: Recorder): Promise<string> {
  const name = 'late-success-while-publishing';
  return withTopicMissingAtFirst(
    recorder,
    'PAYMENTS_FAILED_TOPIC',
    async (service, publishing, topicAppears) => {
      const id = randomUUID();
      const handle = await startRecordedCharge(recorder.client, service, {
        event_id: `evt-replay-${name}-${id}`,
        order_id: `order-replay-${id}`,
        ...RECORDED_MONEY,
        payment_method: DECLINED_CARD,
      });
      await publishing(handle);
      const { payment_intent_id: pi } = await handle.query(chargeStateQuery);
      await handle.signal(stripeEventSignal, {
        ...at('payment_intent.succeeded', 200, pi ?? ''),
        ...RECORDED_MONEY,
      });
      await topicAppears();
      const final = await handle.result();
      assertOutcome(name, final, { status: 'failed', failureCode: 'card_declined' });
      const late = recorder.client.workflow.getHandle(lateOutcomeWorkflowId(final.event_id));
      assert.equal(await late.result(), 'settled');
      return `${final.status}, late outcome settled (${save(name, handle.workflowId)} events)`;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// RefundsWorkflow paths.

/** A PaymentIntent the customer paid at Stripe (the stand-in), with our metadata when given. */
async function paidAtStripe(
  { standin }: Recorder,
  money: { amount: number; currency: string },
  metadata: Record<string, string> = {},
): Promise<string> {
  const pi = await standin.stripe.paymentIntents.create({
    ...money,
    payment_method: CARD,
    confirm: true,
    off_session: true,
    metadata,
  });
  assert.equal(pi.status, 'succeeded');
  return pi.id;
}

/** A charge that succeeded: its PaymentIntent paid at Stripe, as its ChargeWorkflow ends it. */
async function succeededCharge(recorder: Recorder, name: string): Promise<ChargeRecord> {
  const id = randomUUID();
  const event_id = `evt-replay-${name}-${id}`;
  const order_id = `order-replay-${id}`;
  const money = { amount: 5000, currency: 'usd' };
  return {
    event_id,
    order_id,
    status: 'succeeded',
    ...money,
    payment_intent_id: await paidAtStripe(recorder, money, { event_id, order_id }),
    failure: null,
    updated_at: new Date().toISOString(),
  };
}

/** Stripe accepts the next refund as pending (card refunds can be; the stand-in's never are: patched). */
const nextRefundPending = (stripe: StandinControl) =>
  stripe.injectFault({ ...REFUND_CREATE, mode: 'patch', patch: { status: 'pending' } });

function refundsPorts({ client, service }: Recorder): ChargeWorkflows {
  return createChargeWorkflows(client, service.config.temporal.taskQueue);
}

/** Two refunds, a repeated one, a refund webhook, then the (short) refund window closes. */
async function recordRefunds(recorder: Recorder): Promise<string> {
  const { client } = recorder;
  const id = randomUUID();
  const charge = await succeededCharge(recorder, 'refunds');
  const ports = refundsPorts(recorder);
  const input = { charge, window_seconds: 3 };
  const first = await ports.refund(input, {
    refund_id: `a-${id}`,
    amount: 2000,
    reason: 'requested_by_customer',
  });
  await ports.refund(input, { refund_id: `a-${id}`, amount: 2000, reason: 'requested_by_customer' });
  await ports.refund(input, { refund_id: `b-${id}` });
  await ports.signalRefundEvent(charge.event_id, {
    stripe_event_id: `evt_${id}`,
    refund_id: `a-${id}`,
    stripe_refund_id: first.kind === 'ok' ? (first.value.refund.stripe_refund_id ?? '') : '',
    status: 'succeeded',
    failure: null,
  });
  const handle = client.workflow.getHandle(refundsWorkflowId(charge.event_id));
  await handle.result();
  return `${save('refunds', handle.workflowId)} events`;
}

/**
 * Two refunds that fail: Stripe refuses the first at once (400, charge_already_refunded), and
 * accepts the second as pending, then reports it failed by webhook. Both are published as failed.
 */
async function recordRefundFailed(recorder: Recorder): Promise<string> {
  const { client, standin } = recorder;
  const name = 'refund-failed';
  const id = randomUUID();
  const charge = await succeededCharge(recorder, name);
  const ports = refundsPorts(recorder);
  const input: RefundsWorkflowInput = { charge, window_seconds: 3 };
  try {
    await standin.control.injectFault({
      ...REFUND_CREATE,
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'charge_already_refunded',
        message: 'Charge ch_replay has already been refunded.',
      },
    });
    const refused = await ports.refund(input, { refund_id: `refused-${id}`, amount: 1000 });
    assert.equal(refused.kind === 'ok' && refused.value.refund.status, 'failed', JSON.stringify(refused));
    await nextRefundPending(standin.control);
    const pending = await ports.refund(input, { refund_id: `declined-${id}`, amount: 1000 });
    assert.ok(pending.kind === 'ok' && pending.value.refund.status === 'pending', JSON.stringify(pending));
    await ports.signalRefundEvent(charge.event_id, {
      stripe_event_id: `evt_${id}`,
      refund_id: `declined-${id}`,
      stripe_refund_id: pending.value.refund.stripe_refund_id ?? '',
      status: 'failed',
      failure: { code: 'expired_or_canceled_card', message: 'refund failed' },
    });
    const handle = client.workflow.getHandle(refundsWorkflowId(charge.event_id));
    await handle.result();
    const { refunds } = await handle.query(refundsQuery);
    assert.deepEqual(
      refunds.map((r) => r.status),
      ['failed', 'failed'],
    );
    return `${save(name, handle.workflowId)} events`;
  } finally {
    await standin.control.clearFaults();
  }
}

/**
 * The refund window closes while a refund is still pending at Stripe: the workflow stays open until
 * Stripe's word on it comes (after the window), publishes it, and ends. A refund asked for after that
 * is refused with window_closed.
 */
async function recordRefundWindowClosed(recorder: Recorder): Promise<string> {
  const { client, standin } = recorder;
  const name = 'refund-window-closed';
  const id = randomUUID();
  const charge = await succeededCharge(recorder, name);
  const ports = refundsPorts(recorder);
  const input: RefundsWorkflowInput = { charge, window_seconds: 2 };
  try {
    await nextRefundPending(standin.control);
    const pending = await ports.refund(input, { refund_id: `late-${id}`, amount: 1500 });
    assert.ok(pending.kind === 'ok' && pending.value.refund.status === 'pending', JSON.stringify(pending));
    const handle = client.workflow.getHandle(refundsWorkflowId(charge.event_id));
    await waitUntil(async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).some(
        (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED,
      );
    }, 'the refund window to close');
    await ports.signalRefundEvent(charge.event_id, {
      stripe_event_id: `evt_${id}`,
      refund_id: `late-${id}`,
      stripe_refund_id: pending.value.refund.stripe_refund_id ?? '',
      status: 'succeeded',
      failure: null,
    });
    await handle.result();
    const after = await ports.refund(input, { refund_id: `after-${id}`, amount: 100 });
    assert.equal(after.kind, 'window_closed');
    return `${save(name, handle.workflowId)} events`;
  } finally {
    await standin.control.clearFaults();
  }
}

/**
 * A refund asked once the charge's workflow is gone (namespace retention): the refunds workflow
 * starts with the event_id alone, finds the PaymentIntent at Stripe by our metadata (paid just now),
 * refunds part of it, answers a repeat with the same refund, and ends when the (short) window from
 * the payment closes.
 */
async function recordRefundAfterRetention(recorder: Recorder): Promise<string> {
  const { client, standin } = recorder;
  const name = 'refund-after-retention-refunded';
  const id = randomUUID();
  const eventId = `evt-replay-${name}-${id}`;
  const orderId = `order-replay-${id}`;
  const ports = refundsPorts(recorder);
  const input: RefundsWorkflowInput = { charge: null, event_id: eventId, window_seconds: 5 };
  const pi = await paidAtStripe(recorder, RECORDED_MONEY, { event_id: eventId, order_id: orderId });
  const first = await ports.refund(input, { refund_id: `a-${id}`, amount: 1000 });
  assert.ok(first.kind === 'ok' && first.value.refund.status === 'succeeded', JSON.stringify(first));
  const again = await ports.refund(input, { refund_id: `a-${id}`, amount: 1000 });
  assert.ok(again.kind === 'ok' && again.value.duplicate, JSON.stringify(again));
  const handle = client.workflow.getHandle(refundsWorkflowId(eventId));
  assert.equal(await handle.result(), undefined, 'ended with its window, holding its refund');
  assert.equal((await standin.control.paymentIntent(pi)).refunded_amount, 1000, 'refunded once at Stripe');
  return `${save(name, handle.workflowId)} events`;
}

/**
 * A refund asked for an event_id Stripe never saw (and no workflow has): the look-up finds nothing,
 * the request is refused as not found, and the run ends saying so (a later request may start again).
 */
async function recordRefundAfterRetentionNotFound(recorder: Recorder): Promise<string> {
  const { client } = recorder;
  const name = 'refund-after-retention-not-found';
  const eventId = `evt-replay-${name}-${randomUUID()}`;
  const ports = refundsPorts(recorder);
  const refused = await ports.refund(
    { charge: null, event_id: eventId, window_seconds: 5 },
    { refund_id: `x-${randomUUID()}` },
  );
  assert.ok(refused.kind === 'rejected' && refused.type === 'ChargeNotFound', JSON.stringify(refused));
  const handle = client.workflow.getHandle(refundsWorkflowId(eventId));
  assert.deepEqual(await handle.result(), { charge_lookup: 'not_found' });
  return `${save(name, handle.workflowId)} events`;
}

// ---------------------------------------------------------------------------------------------
// DisputeWorkflow paths, driven as the webhook receiver drives them (signal-with-start per event).

/** Short enough for a recording: a closed dispute lingers 2 s for late events. */
const DISPUTE_TIMING: DisputeTiming = { evidence_warning_seconds: 3600, linger_after_close_seconds: 2 };

const DISPUTE_PATH: DisputePath = {
  inquiry: false,
  escalates: false,
  withdrawnAtCreation: false,
  evidence: true,
  outcome: 'won',
  reinstatement: 'later',
  gaps: [1],
};

interface DisputeScenario {
  readonly name: string;
  readonly path?: Partial<DisputePath>;
  /** The disputed PaymentIntent carries our metadata (else none: not a charge of ours). */
  readonly ours: boolean;
  /** Which of the lifecycle's events are delivered, in delivery order (all, in order, unless given). */
  readonly deliveries?: readonly number[];
  /** Evidence due just past the warning time: the warning timer fires before the dispute closes. */
  readonly warning?: boolean;
  readonly expect: { readonly changes: readonly DisputeChange[]; readonly outcome: string | null };
}

const DISPUTE_SCENARIOS: DisputeScenario[] = [
  {
    name: 'dispute-won',
    ours: true,
    expect: { changes: ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated'], outcome: 'won' },
  },
  {
    name: 'dispute-lost',
    ours: true,
    path: { evidence: false, outcome: 'lost', withdrawnAtCreation: true },
    expect: { changes: ['opened', 'funds_withdrawn', 'closed'], outcome: 'lost' },
  },
  {
    name: 'dispute-duplicate-and-out-of-order-events',
    ours: true,
    deliveries: [3, 0, 3, 2, 1, 0, 4, 1],
    expect: { changes: ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated'], outcome: 'won' },
  },
  {
    name: 'dispute-evidence-warning',
    ours: true,
    warning: true,
    path: { evidence: false, outcome: 'lost', withdrawnAtCreation: true },
    expect: { changes: ['opened', 'funds_withdrawn', 'closed'], outcome: 'lost' },
  },
  {
    name: 'dispute-not-ours',
    ours: false,
    deliveries: [0],
    expect: { changes: [], outcome: null },
  },
];

async function recordDispute(recorder: Recorder, scenario: DisputeScenario): Promise<string> {
  const { client, service } = recorder;
  const id = randomUUID();
  // The disputed payment, paid at Stripe: with our metadata, or (not ours) with none.
  const money = { amount: 3000, currency: 'usd' };
  const pi = await paidAtStripe(
    recorder,
    money,
    scenario.ours ? { event_id: `evt-replay-${scenario.name}-${id}`, order_id: `order-replay-${id}` } : {},
  );
  const lifecycle = lifecycleOf(
    { ...DISPUTE_PATH, ...scenario.path },
    {
      disputeId: `du_replay_${id.replace(/-/g, '').slice(0, 16)}`,
      paymentIntentId: pi,
      eventPrefix: `evt_${id.slice(0, 8)}`,
      ...money,
    },
  );
  const now = Math.floor(Date.now() / 1000);
  // Real time on the dev server: the events are this moment's, the evidence due a day ahead, or (for
  // the warning path) just 2 s past the warning time.
  const dueBy = scenario.warning ? now + DISPUTE_TIMING.evidence_warning_seconds + 2 : now + 86_400;
  const events: DisputeEventPayload[] = lifecycle.events.map((e, i) => ({
    ...e,
    created: now + i,
    evidence_due_by: dueBy,
  }));
  const disputes = createDisputeWorkflows(client, service.config.temporal.taskQueue, DISPUTE_TIMING);
  const handle = client.workflow.getHandle<typeof DisputeWorkflow>(disputeWorkflowId(lifecycle.disputeId));
  const deliveries = scenario.deliveries ?? events.map((_, i) => i);
  const [first, ...rest] = deliveries;
  assert.equal(await disputes.deliver(events[first ?? 0]!), 'accepted');
  if (scenario.warning) {
    await waitUntil(async () => {
      const history = await handle.fetchHistory();
      return (history.events ?? []).some(
        (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED,
      );
    }, 'the evidence warning timer to fire');
  }
  for (const index of rest) assert.equal(await disputes.deliver(events[index]!), 'accepted');
  const final = await handle.result();
  assert.equal(final.outcome, scenario.expect.outcome, `${scenario.name}: ${JSON.stringify(final)}`);
  assert.equal(final.event_id !== null, scenario.ours, `${scenario.name}: ${JSON.stringify(final)}`);
  return `${final.status} (${save(scenario.name, handle.workflowId)} events)`;
}

/**
 * A worker roll while the create is at Stripe: the old worker stops, the create's answer and four
 * webhooks (succeeded, processing twice, succeeded again: Stripe's duplicates) arrive while no
 * worker polls, and the new worker finds them all in one workflow task. The soak met this path
 * (docs/defects); its history guards that what the charge records does not depend on the order in
 * which the SDK runs the create's answer and the signals.
 */
async function recordCreateAndSignalsInOneTask({ client, standin }: Recorder): Promise<string> {
  const name = 'create-and-signals-in-one-task';
  const taskQueue = `replay-roll-${randomUUID()}`;
  const env = { STRIPE_API_BASE: standin.url, LOG_LEVEL: 'info', TEMPORAL_TASK_QUEUE: taskQueue };
  await standin.control.injectFault({ ...PAYMENT_INTENT_CREATE, mode: 'hold' });
  const old = await startTestService(env);
  const id = randomUUID();
  const handle = await startRecordedCharge(client, old, {
    event_id: `evt-replay-${name}-${id}`,
    order_id: `order-replay-${id}`,
    ...RECORDED_MONEY,
  });
  await waitUntil(
    async () => (await standin.control.inFlight(PAYMENT_INTENT_HELD)) === 1,
    'the create to be held at Stripe',
  );
  // The old worker stops polling; its Stripe worker finishes the create in flight (shutdown grace).
  const stopped = old.stop();
  await waitUntil(
    async () => old.logs.some((line) => String(line.msg).startsWith('worker draining')),
    'the old worker to stop polling',
  );
  await standin.control.releaseHeld();
  await stopped;
  const pi = await createdPaymentIntent(handle);
  // The customer pays in the browser; Stripe's webhooks for it arrive while no worker polls.
  await standin.control.confirm(pi, CARD);
  for (const type of ['succeeded', 'processing', 'processing', 'succeeded']) {
    await handle.signal(stripeEventSignal, at(`payment_intent.${type}`, 100, pi));
  }
  const fresh = await startTestService(env);
  try {
    const final = await handle.result();
    assertOutcome(name, final, { status: 'succeeded' });
    await assertOneTaskForCreateAndSignals(handle);
    return `${final.status} (${save(name, handle.workflowId)} events)`;
  } finally {
    await fresh.stop();
  }
}

/** The PaymentIntent id the completed create answered, read from the history (no worker runs). */
async function createdPaymentIntent(handle: WorkflowHandle): Promise<string> {
  return waitUntil(async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    const completed = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (payload === undefined || payload === null) return undefined;
    const [decoded] = await localCodec().decode([payload]);
    return decoded === undefined
      ? undefined
      : defaultPayloadConverter.fromPayload<{ id: string }>(decoded).id;
  }, 'the create to complete while no worker polls');
}

/** The path's point: the create's answer and the four signals reached the new worker in one task. */
async function assertOneTaskForCreateAndSignals(handle: WorkflowHandle): Promise<void> {
  const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
  const completed = types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  assert.deepEqual(types.slice(completed, completed + 7), [
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    ...Array<number>(4).fill(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  ]);
}

// ---------------------------------------------------------------------------------------------

const RECORDINGS: ReadonlyArray<{ name: string; record: (recorder: Recorder) => Promise<string> }> = [
  ...SCENARIOS.map((scenario) => ({
    name: scenario.name,
    record: (recorder: Recorder) => recordScenario(recorder, scenario),
  })),
  { name: 'adopted-after-key-expiry', record: recordAdoptedAfterKeyExpiry },
  { name: 'kafka-publish-retried', record: recordKafkaPublishRetried },
  { name: 'late-success-while-publishing', record: recordLateSuccessWhilePublishing },
  { name: 'create-and-signals-in-one-task', record: recordCreateAndSignalsInOneTask },
  { name: 'refunds', record: recordRefunds },
  { name: 'refund-failed', record: recordRefundFailed },
  { name: 'refund-window-closed', record: recordRefundWindowClosed },
  { name: 'refund-after-retention-refunded', record: recordRefundAfterRetention },
  { name: 'refund-after-retention-not-found', record: recordRefundAfterRetentionNotFound },
  ...DISPUTE_SCENARIOS.map((scenario) => ({
    name: scenario.name,
    record: (recorder: Recorder) => recordDispute(recorder, scenario),
  })),
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !RECORDINGS.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `no recording named ${unknown.join(', ')}; known: ${RECORDINGS.map((r) => r.name).join(', ')}`,
    );
  }
  const selected = wanted.length === 0 ? RECORDINGS : RECORDINGS.filter((r) => wanted.includes(r.name));
  // Not rate limited: the adopted path's hundreds of create attempts meet the outage, not a 429.
  const standin = await startTestStandin({ rate_limit_per_second: null }, { stripeMock: true });
  const service = await startTestService({ STRIPE_API_BASE: standin.url, LOG_LEVEL: 'warn' });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: localDataConverter() });
  fs.mkdirSync(OUT, { recursive: true });
  try {
    for (const recording of selected) {
      process.stdout.write(`${recording.name}: ${await recording.record({ client, service, standin })}\n`);
    }
  } finally {
    await connection.close();
    await service.stop();
    await standin.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
