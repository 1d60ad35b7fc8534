/**
 * Replays event histories recorded from real runs of every ChargeWorkflow, RefundsWorkflow and
 * DisputeWorkflow path
 * (see record-histories.ts) against the current workflow code: a non-deterministic change fails here.
 * Each history is also read back, to show it still is the path it is named for. Replay and reading
 * go through the service's data converter (the payload codec with the local key, scripts/dev.env):
 * histories recorded before the codec hold plain payloads, which it passes through; those recorded
 * since are encrypted, which it decrypts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { ChargeRecord } from '../../src/contracts/charge';
import type { PaymentEventV1 } from '../../src/contracts/payment-event';
import type { RefundEventV1 } from '../../src/contracts/refund';
import type { DisputeEventV1, DisputeRecord } from '../../src/contracts/dispute';
import { decodePayloadsIn, localCodec, localDataConverter } from '../support/codec';
import { quietTemporalRuntime, workflowBundle } from '../support/workflow-env';
import { workflowTracingSinks } from '../../src/roles/worker';

const { EventType, RetryState } = temporal.api.enums.v1;

const DIR = path.join(__dirname, 'histories');
const jsonIn = (dir: string): string[] =>
  fs
    .readdirSync(path.join(DIR, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
/** Recorded against stripe-mock behind a rewriting proxy (kept: they guard runs in flight). */
const files = jsonIn('.');
/** Recorded from today's code against the Stripe test-mode stand-in (tools/stripe-standin). */
const STANDIN = 'standin';
const standinFiles = jsonIn(STANDIN);

/** A recorded history as Temporal holds it (encrypted payloads, if it was recorded with the codec). */
function load(file: string): History {
  return historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
}

/** A recorded history as a reader with the keys sees it. */
function read(file: string): Promise<History> {
  return decodePayloadsIn(load(file), localCodec());
}

/** One activity as the history tells it: its last attempt and how that ended. */
interface ActivityRun {
  readonly type: string;
  readonly input: unknown;
  readonly attempt: number;
  readonly lastFailure: string | undefined;
  readonly outcome: 'completed' | 'failed' | 'timed_out' | 'open';
  readonly result: unknown;
  readonly retryState: temporal.api.enums.v1.RetryState | undefined;
}

/** What a recorded history says happened, decoded. */
class RecordedRun {
  readonly events: temporal.api.history.v1.IHistoryEvent[];
  constructor(history: History) {
    this.events = history.events ?? [];
  }

  get workflowType(): string {
    return this.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
  }

  /** The workflow's returned value. */
  result<T>(): T {
    const completed = this.events.find(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    );
    const payload = completed?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    assert.ok(payload, 'the workflow completed with a result');
    return defaultPayloadConverter.fromPayload<T>(payload);
  }

  /** The ChargeWorkflow's returned record. */
  get charge(): ChargeRecord {
    return this.result<ChargeRecord>();
  }

  publishedDisputes(): DisputeEventV1[] {
    return this.activities('publishDisputeEvent').map((run) => run.input as DisputeEventV1);
  }

  /** The patch markers this run recorded (today's code records its newest ones). */
  markers(): string[] {
    return this.events
      .map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0])
      .filter((p): p is NonNullable<typeof p> => p !== undefined && p !== null)
      .map((p) => defaultPayloadConverter.fromPayload<{ id: string }>(p).id);
  }

  firstIndexOfActivity(type: string): number {
    return this.events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type);
  }

  activities(type: string): ActivityRun[] {
    return this.events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type)
      .map((scheduled) => {
        const id = Number(scheduled.eventId);
        const by = (e: temporal.api.history.v1.IHistoryEvent) =>
          Number(
            (
              e.activityTaskStartedEventAttributes ??
              e.activityTaskCompletedEventAttributes ??
              e.activityTaskFailedEventAttributes ??
              e.activityTaskTimedOutEventAttributes
            )?.scheduledEventId,
          ) === id;
        const related = this.events.filter(by);
        const started = related.find(
          (e) => e.activityTaskStartedEventAttributes,
        )?.activityTaskStartedEventAttributes;
        const completed = related.find(
          (e) => e.activityTaskCompletedEventAttributes,
        )?.activityTaskCompletedEventAttributes;
        const failed = related.find(
          (e) => e.activityTaskFailedEventAttributes,
        )?.activityTaskFailedEventAttributes;
        const timedOut = related.find(
          (e) => e.activityTaskTimedOutEventAttributes,
        )?.activityTaskTimedOutEventAttributes;
        const input = scheduled.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
        const result = completed?.result?.payloads?.[0];
        return {
          type,
          input: input ? defaultPayloadConverter.fromPayload(input) : undefined,
          attempt: started?.attempt ?? 0,
          lastFailure: started?.lastFailure?.message ?? undefined,
          outcome: completed ? 'completed' : failed ? 'failed' : timedOut ? 'timed_out' : 'open',
          result: result ? defaultPayloadConverter.fromPayload(result) : undefined,
          retryState: failed?.retryState ?? timedOut?.retryState ?? undefined,
        };
      });
  }

  /** The single run of an activity the path calls once. */
  only(type: string): ActivityRun {
    const runs = this.activities(type);
    assert.equal(runs.length, 1, `${type} scheduled once`);
    return runs[0] as ActivityRun;
  }

  published(): PaymentEventV1[] {
    return this.activities('publishPaymentEvent').map((run) => run.input as PaymentEventV1);
  }

  publishedRefunds(): RefundEventV1[] {
    return this.activities('publishRefundEvent').map((run) => run.input as RefundEventV1);
  }

  /** The ChargeStatus values the run upserted, in order. */
  statusUpserts(): string[] {
    return this.events
      .map(
        (e) =>
          e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['ChargeStatus'],
      )
      .filter((p): p is NonNullable<typeof p> => p !== undefined && p !== null)
      .map((p) => defaultPayloadConverter.fromPayload<string>(p));
  }

  signals(name: string): number {
    return this.events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;
  }

  count(type: temporal.api.enums.v1.EventType): number {
    return this.events.filter((e) => e.eventType === type).length;
  }

  firstIndex(type: temporal.api.enums.v1.EventType): number {
    return this.events.findIndex((e) => e.eventType === type);
  }
}

/** The result of the run's (first) completed update of this name, decoded. */
function updateResult(run: RecordedRun, name: string): ChargeRecord | undefined {
  const accepted = run.events.find(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name,
  )?.workflowExecutionUpdateAcceptedEventAttributes;
  const id = accepted?.acceptedRequest?.meta?.updateId ?? accepted?.protocolInstanceId;
  const completed = run.events.find(
    (e) => e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === id,
  )?.workflowExecutionUpdateCompletedEventAttributes;
  const payload = completed?.outcome?.success?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<ChargeRecord>(payload) : undefined;
}

/** A charge that ended with this status (and failure code), published as such. */
function endedAs(run: RecordedRun, status: ChargeRecord['status'], failureCode?: string): void {
  assert.equal(run.workflowType, 'ChargeWorkflow');
  assert.equal(run.charge.status, status);
  if (failureCode !== undefined) assert.equal(run.charge.failure?.code, failureCode);
  assert.deepEqual(
    run.published().map((e) => e.status),
    [status],
  );
}

/** A dispute that ended with this outcome, having announced these changes in this order. */
function disputeEnded(run: RecordedRun, outcome: string | null, changes: readonly string[]): DisputeRecord {
  assert.equal(run.workflowType, 'DisputeWorkflow');
  const record = run.result<DisputeRecord>();
  assert.equal(record.outcome, outcome);
  assert.deepEqual(
    run.publishedDisputes().map((e) => e.change),
    changes,
  );
  return record;
}

/** Each recorded history, what path it is, and how its events show it. */
const PATHS: Record<string, { readonly path: string; readonly shows: (run: RecordedRun) => void }> = {
  'webhook-success': {
    path: 'a payment_intent.succeeded webhook ends the charge succeeded',
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 1);
      endedAs(run, 'succeeded');
    },
  },
  'webhook-payment-failed': {
    path: 'a payment_intent.payment_failed webhook ends the charge failed',
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 1);
      endedAs(run, 'failed');
    },
  },
  'duplicate-and-out-of-order-events': {
    path: 'repeated, stale and foreign webhooks do not move the charge; the right one ends it succeeded',
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 5);
      endedAs(run, 'succeeded');
    },
  },
  'card-declined-on-create': {
    path: 'Stripe declines the card on create: failed with card_declined, no retry',
    shows: (run) => {
      const create = run.only('createPaymentIntent');
      assert.equal(create.outcome, 'failed');
      assert.equal(create.retryState, RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE);
      endedAs(run, 'failed', 'card_declined');
    },
  },
  'stripe-500-retried': {
    path: 'a Stripe 500 on create is retried by Temporal, then the charge succeeds',
    shows: (run) => {
      const create = run.only('createPaymentIntent');
      assert.equal(create.outcome, 'completed');
      assert.equal(create.attempt, 2);
      endedAs(run, 'succeeded');
    },
  },
  'reconciled-without-webhook': {
    path: "no webhook: a retrieve finds Stripe's status (a failed payment) and ends the charge",
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 0);
      assert.equal(run.only('retrievePaymentIntent').outcome, 'completed');
      endedAs(run, 'failed');
    },
  },
  'requires-action-expired': {
    path: 'left in requires_action past its window: the PaymentIntent is canceled',
    shows: (run) => {
      assert.equal(run.only('cancelPaymentIntent').outcome, 'completed');
      endedAs(run, 'canceled', 'requires_action_expired');
    },
  },
  'charge-expired': {
    path: 'no final outcome before the charge deadline: reconciled with backoff, then canceled',
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 0);
      const retrieves = run.activities('retrievePaymentIntent');
      assert.ok(retrieves.length >= 2, `reconciled more than once (${retrieves.length})`);
      for (const retrieve of retrieves) {
        assert.equal((retrieve.result as { status: string }).status, 'requires_payment_method');
      }
      assert.equal(run.only('cancelPaymentIntent').outcome, 'completed');
      endedAs(run, 'canceled', 'charge_expired');
    },
  },
  'early-answer-requires-action': {
    path: "started with its early answer (update-with-start); Stripe asks for 3-D Secure; the customer's success ends it",
    shows: (run) => {
      const started = run.events[0]?.workflowExecutionStartedEventAttributes;
      const input = defaultPayloadConverter.fromPayload<{ request: { return_url?: string } }>(
        started?.input?.payloads?.[0] ?? {},
      );
      assert.equal(input.request.return_url, 'https://shop.example/checkout/complete');
      const accepted = run.events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      assert.deepEqual(
        accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name),
        ['awaitPaymentIntent'],
      );
      const completed = run.events.find((e) => e.workflowExecutionUpdateCompletedEventAttributes);
      const answer = defaultPayloadConverter.fromPayload<ChargeRecord>(
        completed?.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0] ?? {},
      );
      assert.equal(answer.status, 'requires_action');
      assert.equal(answer.payment_intent_id, run.charge.payment_intent_id);
      assert.equal((run.only('createPaymentIntent').result as { status: string }).status, 'requires_action');
      assert.equal(run.signals('stripeEvent'), 1);
      endedAs(run, 'succeeded');
    },
  },
  'canceled-by-caller': {
    path: "the caller's cancel update cancels the PaymentIntent",
    shows: (run) => {
      assert.equal(run.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 1);
      assert.equal(run.only('cancelPaymentIntent').outcome, 'completed');
      endedAs(run, 'canceled', 'canceled');
    },
  },
  'cancel-refused-by-stripe': {
    path: "Stripe refuses the caller's cancel (the payment succeeded): a retrieve decides, succeeded",
    shows: (run) => {
      assert.equal(run.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 1);
      const cancel = run.only('cancelPaymentIntent');
      assert.equal(cancel.outcome, 'failed');
      assert.equal(cancel.retryState, RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE);
      const retrieve = run.only('retrievePaymentIntent');
      assert.equal((retrieve.result as { status: string }).status, 'succeeded');
      endedAs(run, 'succeeded');
    },
  },
  'adopted-after-key-expiry': {
    path: 'create retried past its 23 h window: the lookup by event_id finds the PaymentIntent and adopts it',
    shows: (run) => {
      const create = run.only('createPaymentIntent');
      assert.ok(create.attempt > 100, `retried through the window (${create.attempt} attempts)`);
      assert.ok(
        create.outcome === 'timed_out' || create.retryState === RetryState.RETRY_STATE_TIMEOUT,
        `the create's retries ran out of time (${create.outcome}, retry state ${create.retryState})`,
      );
      const found = run.only('findPaymentIntentByEventId').result as { id: string; status: string };
      assert.equal(found.status, 'succeeded');
      assert.equal(run.charge.payment_intent_id, found.id);
      endedAs(run, 'succeeded');
    },
  },
  'kafka-publish-retried': {
    path: "the outcome's Kafka publish fails, is retried by Temporal and then succeeds",
    shows: (run) => {
      const publish = run.only('publishPaymentEvent');
      assert.equal(publish.outcome, 'completed');
      assert.ok(publish.attempt >= 2, `published on a later attempt (${publish.attempt})`);
      assert.ok(publish.lastFailure, 'the earlier attempt failed');
      endedAs(run, 'succeeded');
    },
  },
  refunds: {
    path: 'two refunds, a repeated request, a refund webhook, then the refund window closes',
    shows: (run) => {
      assert.equal(run.workflowType, 'RefundsWorkflow');
      assert.equal(run.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 3);
      assert.equal(run.activities('createRefund').length, 2, 'the repeated request made no refund');
      assert.equal(run.signals('refundEvent'), 1);
      assert.deepEqual(
        run.publishedRefunds().map((e) => e.status),
        ['succeeded', 'succeeded'],
      );
    },
  },
  'refund-failed': {
    path: 'a refund Stripe refuses at once and one it reports failed later: both published as failed',
    shows: (run) => {
      assert.equal(run.workflowType, 'RefundsWorkflow');
      const [refused, declined] = run.activities('createRefund');
      assert.equal(refused?.outcome, 'failed');
      assert.equal(refused?.retryState, RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE);
      assert.equal((declined?.result as { status: string } | undefined)?.status, 'pending');
      assert.equal(run.signals('refundEvent'), 1);
      assert.deepEqual(
        run.publishedRefunds().map((e) => e.status),
        ['failed', 'failed'],
      );
    },
  },
  'refund-window-closed': {
    path: "the refund window closes with a refund pending: Stripe's later word is still published",
    shows: (run) => {
      assert.equal(run.workflowType, 'RefundsWorkflow');
      const windowClosed = run.firstIndex(EventType.EVENT_TYPE_TIMER_FIRED);
      const lateWord = run.firstIndex(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      assert.ok(windowClosed >= 0 && lateWord > windowClosed, 'the refund webhook came after the window');
      assert.deepEqual(
        run.publishedRefunds().map((e) => e.status),
        ['succeeded'],
      );
    },
  },
};

/**
 * The paths recorded by the `charge-lifecycle-v2` generation (npm run record-histories wrote them as
 * `v2-<path>`), each with what its history must show. Its ChargeWorkflow histories applied the
 * webhooks heard before the PaymentIntent together with it; they stay, as they guard runs in flight.
 * Its RefundsWorkflow (`refund-window-from-success`) and DisputeWorkflow (`stripe-task-queue`)
 * histories are still today's.
 */
const V2_PATHS: Record<string, { readonly path: string; readonly shows: (run: RecordedRun) => void }> = {
  'v2-webhook-success': PATHS['webhook-success']!,
  'v2-duplicate-and-out-of-order-events': PATHS['duplicate-and-out-of-order-events']!,
  'v2-stripe-500-retried': PATHS['stripe-500-retried']!,
  'v2-requires-action-expired': PATHS['requires-action-expired']!,
  'v2-charge-expired': PATHS['charge-expired']!,
  'v2-early-answer-requires-action': PATHS['early-answer-requires-action']!,
  'v2-canceled-by-caller': PATHS['canceled-by-caller']!,
  'v2-cancel-refused-by-stripe': PATHS['cancel-refused-by-stripe']!,
  'v2-adopted-after-key-expiry': PATHS['adopted-after-key-expiry']!,
  'v2-kafka-publish-retried': PATHS['kafka-publish-retried']!,
  'v2-refunds': PATHS['refunds']!,
  'v2-refund-failed': PATHS['refund-failed']!,
  'v2-refund-window-closed': PATHS['refund-window-closed']!,
  'v2-refund-after-retention-refunded': {
    path: "a refund after the charge's workflow is gone: the PaymentIntent found at Stripe by its metadata, refunded once, a repeat answered with the same refund, ended with the window counted from the payment",
    shows: (run) => {
      assert.equal(run.workflowType, 'RefundsWorkflow');
      const lookup = run.only('findPaymentIntentByEventId');
      const found = lookup.result as { id: string; status: string; metadata: { order_id: string } };
      assert.equal(found.status, 'succeeded');
      assert.ok(
        run.firstIndexOfActivity('findPaymentIntentByEventId') < run.firstIndexOfActivity('createRefund'),
        'Stripe is asked before anything is refunded',
      );
      const [create, ...more] = run.activities('createRefund');
      assert.equal(more.length, 0, 'the repeated request made no refund');
      const input = create?.input as { payment_intent_id: string; order_id: string; amount: number };
      assert.deepEqual(
        [input.payment_intent_id, input.order_id, input.amount],
        [found.id, found.metadata.order_id, 1000],
      );
      assert.equal(run.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED), 2);
      assert.deepEqual(
        run.publishedRefunds().map((e) => [e.status, e.order_id]),
        [['succeeded', found.metadata.order_id]],
      );
    },
  },
  'v2-refund-after-retention-not-found': {
    path: 'a refund for an event_id Stripe never saw: the look-up finds nothing, the request is refused, the run ends saying so',
    shows: (run) => {
      assert.equal(run.workflowType, 'RefundsWorkflow');
      assert.equal(run.only('findPaymentIntentByEventId').result, null);
      assert.equal(run.activities('createRefund').length, 0);
      assert.deepEqual(run.result(), { charge_lookup: 'not_found' });
    },
  },
  'v2-browser-decline-then-retry': {
    path: 'a browser charge declined once stays open; the customer retries with another card and it succeeds',
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 2);
      assert.equal(run.activities('cancelPaymentIntent').length, 0);
      endedAs(run, 'succeeded');
    },
  },
  'v2-browser-secret-in-state': {
    path: "a browser charge keeps its client_secret in state: the early answer carries it, a requires_action event's next_action is kept, success ends it without either",
    shows: (run) => {
      const create = run.only('createPaymentIntent').result as { id: string; client_secret?: string };
      assert.match(create.client_secret ?? '', /_secret_/, 'the create returned the secret');
      const early = updateResult(run, 'awaitPaymentIntent');
      assert.equal(early?.client_secret, create.client_secret, 'the early answer carries it');
      assert.equal(run.signals('stripeEvent'), 2);
      endedAs(run, 'succeeded');
      assert.equal('client_secret' in run.charge, false, 'never in the result');
      assert.doesNotMatch(JSON.stringify(run.published()), /_secret_/, 'never on Kafka');
    },
  },
  'v2-client-secret-read-for-older-charge': {
    path: 'a charge whose create carried no client_secret reads it once (loadClientSecret, its retrieve on the Stripe task queue)',
    shows: (run) => {
      const create = run.only('createPaymentIntent').result as { client_secret?: string };
      assert.equal(create.client_secret, undefined, 'as a create recorded before the secret was kept');
      const read = run.only('retrievePaymentIntent');
      assert.match((read.result as { client_secret?: string }).client_secret ?? '', /_secret_/);
      const scheduled = run.events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'retrievePaymentIntent',
      )?.activityTaskScheduledEventAttributes;
      assert.match(scheduled?.taskQueue?.name ?? '', /-stripe$/, 'on the rate-limited Stripe task queue');
      assert.match(updateResult(run, 'loadClientSecret')?.client_secret ?? '', /_secret_/);
      endedAs(run, 'succeeded');
    },
  },
  'v2-server-decline-canceled': {
    path: 'a server-confirmed decline: the PaymentIntent is canceled at Stripe before payments.failed',
    shows: (run) => {
      assert.equal(run.only('createPaymentIntent').outcome, 'failed');
      assert.equal(run.only('cancelPaymentIntent').outcome, 'completed');
      assert.ok(
        run.firstIndexOfActivity('cancelPaymentIntent') < run.firstIndexOfActivity('publishPaymentEvent'),
      );
      endedAs(run, 'failed', 'card_declined');
    },
  },
  'v2-reconciled-without-webhook': {
    path: "no webhook: a retrieve finds Stripe's status (succeeded) and ends the charge",
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 0);
      assert.equal(
        (run.activities('retrievePaymentIntent')[0]?.result as { status: string }).status,
        'succeeded',
      );
      endedAs(run, 'succeeded');
    },
  },
  'v2-dispute-won': {
    path: 'a dispute opened, funds withdrawn, evidence submitted, closed won, funds reinstated: each announced once',
    shows: (run) => {
      assert.equal(run.signals('disputeEvent'), 5);
      assert.equal(run.only('retrievePaymentIntentForDispute').outcome, 'completed');
      const record = disputeEnded(run, 'won', ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated']);
      assert.equal(record.evidence_submitted, true);
      assert.ok(
        record.event_id?.startsWith('evt-replay-dispute-won-'),
        'the order found through the PaymentIntent',
      );
    },
  },
  'v2-dispute-lost': {
    path: 'a dispute opened with its funds withdrawn, then closed lost',
    shows: (run) => {
      assert.equal(run.signals('disputeEvent'), 2);
      disputeEnded(run, 'lost', ['opened', 'funds_withdrawn', 'closed']);
    },
  },
  'v2-dispute-duplicate-and-out-of-order-events': {
    path: "a won dispute's events delivered repeated and out of order: each change announced once, in order",
    shows: (run) => {
      assert.equal(run.signals('disputeEvent'), 8);
      disputeEnded(run, 'won', ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated']);
    },
  },
  'v2-dispute-evidence-warning': {
    path: 'the evidence warning timer fires while evidence is due and not submitted, then the dispute is lost',
    shows: (run) => {
      const warned = run.firstIndex(EventType.EVENT_TYPE_TIMER_FIRED);
      const signals = run.events.flatMap((e, i) => (e.workflowExecutionSignaledEventAttributes ? [i] : []));
      const closedEvent = signals.at(-1) ?? -1;
      assert.ok(warned >= 0, 'the warning timer fired');
      assert.ok(closedEvent > warned, 'before the closing event came');
      disputeEnded(run, 'lost', ['opened', 'funds_withdrawn', 'closed']);
    },
  },
  'v2-dispute-not-ours': {
    path: 'a dispute on a PaymentIntent without our metadata: acknowledged, nothing published, ended',
    shows: (run) => {
      assert.equal(run.only('retrievePaymentIntentForDispute').outcome, 'completed');
      const record = disputeEnded(run, null, []);
      assert.equal(record.event_id, null);
    },
  },
  'v2-manual-capture-partial': {
    path: 'manual capture: authorized and announced once, part of the hold captured once, completed with the amount captured',
    shows: (run) => {
      assert.equal(run.only('publishAuthorizedEvent').outcome, 'completed');
      const capture = run.only('capturePaymentIntent');
      assert.equal((capture.input as { amount_to_capture: number }).amount_to_capture, 1500);
      assert.ok(
        run.firstIndexOfActivity('publishAuthorizedEvent') < run.firstIndexOfActivity('capturePaymentIntent'),
      );
      endedAs(run, 'succeeded');
      assert.equal(run.published()[0]?.amount_captured, 1500);
      assert.equal(run.charge.capture?.amount_captured, 1500);
    },
  },
  'v2-manual-capture-voided': {
    path: "manual capture: the caller's cancel voids the authorized hold at Stripe, announced canceled",
    shows: (run) => {
      assert.equal(run.only('publishAuthorizedEvent').outcome, 'completed');
      assert.equal(
        (run.only('cancelPaymentIntent').input as { reason: string }).reason,
        'requested_by_customer',
      );
      assert.equal(run.activities('capturePaymentIntent').length, 0);
      endedAs(run, 'canceled', 'canceled');
    },
  },
  'v2-manual-capture-hold-expired': {
    path: 'manual capture: never captured; a margin before the hold expires the workflow voids it and announces it',
    shows: (run) => {
      assert.ok(run.firstIndex(EventType.EVENT_TYPE_TIMER_FIRED) >= 0, 'the expiry timer fired');
      assert.equal((run.only('cancelPaymentIntent').input as { reason: string }).reason, 'abandoned');
      assert.equal(run.activities('capturePaymentIntent').length, 0);
      endedAs(run, 'canceled', 'authorization_expired');
    },
  },
  'v2-manual-capture-stripe-expired-first': {
    path: "manual capture: Stripe's payment_intent.canceled releases the hold first; ended canceled, expired",
    shows: (run) => {
      assert.equal(run.signals('stripeEvent'), 1);
      assert.equal(run.activities('cancelPaymentIntent').length, 0, 'nothing left to void');
      endedAs(run, 'canceled', 'authorization_expired');
    },
  },
  'v2-late-success-while-publishing': {
    path: 'Stripe takes the money while payments.failed is being published: the charge hands it to its late-outcome handling (a child it abandons) before it closes',
    shows: (run) => {
      assert.ok(run.markers().includes('charge-hands-over-late-outcomes'));
      const published = run.firstIndexOfActivity('publishPaymentEvent');
      assert.ok(run.firstIndex(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) > published);
      assert.ok(
        run.firstIndex(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) > published,
        'the late-outcome handling is started after the announcement',
      );
      assert.ok(run.firstIndex(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED) >= 0);
      endedAs(run, 'failed', 'card_declined');
    },
  },
  'v2-create-and-signals-in-one-task': {
    path: "a worker roll while the create is at Stripe: the create's answer and four webhooks reach the new worker in one workflow task; one status change recorded, then the outcome",
    shows: (run) => {
      const completed = run.firstIndex(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      assert.deepEqual(
        run.events.slice(completed, completed + 7).map((e) => e.eventType),
        [
          EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
          EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
          ...Array<number>(4).fill(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
          EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        ],
        'the answer and the signals in one workflow task',
      );
      assert.equal(run.signals('stripeEvent'), 4);
      endedAs(run, 'succeeded');
    },
  },
  'v2-amount-mismatch': {
    path: 'Stripe reports other money than the charge asked: failed with amount_mismatch',
    shows: (run) => endedAs(run, 'failed', 'amount_mismatch'),
  },
};

type PathCheck = { readonly path: string; readonly shows: (run: RecordedRun) => void };
const isCharge = (name: string): boolean =>
  new RecordedRun(load(`${name}.json`)).workflowType === 'ChargeWorkflow';

/**
 * ChargeWorkflow's paths recorded again from today's code (`v3-`, since
 * `charge-each-stripe-word-apart`: the PaymentIntent alone, then each webhook held before it).
 */
const CHARGE_V3_PATHS: Record<string, PathCheck> = {
  ...Object.fromEntries(
    Object.entries(V2_PATHS)
      .filter(([name]) => isCharge(name))
      .map(([name, check]) => [name.replace(/^v2-/, 'v3-'), check]),
  ),
  'v3-create-and-signals-in-one-task': {
    path: "a worker roll while the create is at Stripe: the create's answer and four webhooks reach the new worker in one workflow task; the answer, then each webhook applied in turn (pending, then succeeded), then the outcome",
    shows: (run) => {
      V2_PATHS['v2-create-and-signals-in-one-task']!.shows(run);
      assert.deepEqual(run.statusUpserts(), ['pending', 'succeeded']);
    },
  },
};

/** Every path's history from today's code. */
const CURRENT_PATHS: Record<string, PathCheck> = {
  ...Object.fromEntries(Object.entries(V2_PATHS).filter(([name]) => !isCharge(name))),
  ...CHARGE_V3_PATHS,
};

const CURRENT_MARKERS: Record<string, string> = {
  ChargeWorkflow: 'charge-each-stripe-word-apart',
  RefundsWorkflow: 'refund-window-from-success',
  // The only marker it records so far (its Stripe queue, from stripe-activity-policy.ts).
  DisputeWorkflow: 'stripe-task-queue',
};

describe(
  'replay of recorded ChargeWorkflow, RefundsWorkflow and DisputeWorkflow histories',
  { timeout: 120_000 },
  () => {
    it('has a recorded history for each workflow path, and no history without its path', () => {
      assert.deepEqual(
        files.map((f) => path.basename(f, '.json')),
        [...Object.keys(PATHS), ...Object.keys(V2_PATHS), ...Object.keys(CHARGE_V3_PATHS)].sort(),
      );
    });

    it("has a history of every path of today's code recorded against the Stripe stand-in, and no other", () => {
      assert.deepEqual(
        standinFiles.map((f) => path.basename(f, '.json')),
        Object.keys(CURRENT_PATHS).sort(),
      );
    });

    it("has a history recorded from today's code for every path (its first marker is today's)", async () => {
      for (const name of Object.keys(CURRENT_PATHS)) {
        for (const file of [`${name}.json`, path.join(STANDIN, `${name}.json`)]) {
          const run = new RecordedRun(await read(file));
          const marker = CURRENT_MARKERS[run.workflowType];
          assert.ok(marker, `${file}: a ${run.workflowType} history`);
          assert.ok(run.markers().includes(marker), `${file} was recorded before ${marker}: record it again`);
        }
      }
    });

    it('replays every history without a determinism error', async () => {
      quietTemporalRuntime();
      const histories = [...files, ...standinFiles].map((file) => ({
        workflowId: file.replace(/\.json$/, ''),
        history: load(file),
      }));
      const failures: string[] = [];
      let replayed = 0;
      for await (const result of Worker.runReplayHistories(
        {
          workflowBundle: await workflowBundle(),
          dataConverter: localDataConverter(),
          sinks: workflowTracingSinks(),
        },
        histories,
      )) {
        replayed += 1;
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      assert.equal(replayed, files.length + standinFiles.length);
      assert.deepEqual(failures, []);
    });

    for (const [name, { path: what, shows }] of Object.entries({
      ...PATHS,
      ...V2_PATHS,
      ...CHARGE_V3_PATHS,
    })) {
      it(`${name}.json is the path where ${what}`, async () => {
        shows(new RecordedRun(await read(`${name}.json`)));
      });
    }

    for (const [name, { path: what, shows }] of Object.entries(CURRENT_PATHS)) {
      it(`${STANDIN}/${name}.json (against the stand-in) is the path where ${what}`, async () => {
        shows(new RecordedRun(await read(path.join(STANDIN, `${name}.json`))));
      });
    }
  },
);
