/**
 * npm run record-histories
 *
 * Runs each ChargeWorkflow path for real (local stack, stripe-mock behind the recording proxy) and
 * saves its event history under test/replay/histories/. The replay test replays them all, so a
 * change that makes the workflow non-deterministic fails CI. Re-record only for an intentional,
 * versioned change of the workflow.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createChargeWorkflows } from '../../src/api/temporal/charge-workflows';
import {
  chargeWorkflowId,
  DEFAULT_CHARGE_TIMING,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeTiming,
} from '../../src/contracts/charge';
import { refundsWorkflowId } from '../../src/contracts/refund';
import { cancelChargeUpdate, chargeStateQuery, stripeEventSignal } from '../../src/workflows/messages';
import type { PaymentEventPayload } from '../../src/contracts/payment-provider';
import { startTestService } from '../support/service';
import { stack } from '../support/stack-env';
import { startStripeRecordingProxy, type StripeRecordingProxy } from '../support/stripe-recording-proxy';
import { waitUntil } from '../support/wait';

const OUT = path.join(__dirname, 'histories');
const TEMPORAL_CLI = path.join(path.dirname(stack.temporalTestServerPath), 'temporal');

/** Saves a workflow's history in the standard JSON format (which historyFromJSON reads). */
function save(name: string, workflowId: string): number {
  const json = execFileSync(TEMPORAL_CLI, [
    'workflow',
    'show',
    '--address',
    stack.temporalAddress,
    '-w',
    workflowId,
    '--output',
    'json',
  ]);
  fs.writeFileSync(path.join(OUT, `${name}.json`), json);
  return (JSON.parse(json.toString('utf8')) as { events: unknown[] }).events.length;
}

interface Scenario {
  readonly name: string;
  readonly request?: Partial<ChargeRequest>;
  readonly timing?: Partial<ChargeTiming>;
  readonly before?: (proxy: StripeRecordingProxy) => void;
  /** Signals to send once the PaymentIntent exists (built from its id). */
  readonly events?: (pi: string) => PaymentEventPayload[];
  /** Cancel the charge through its update once the PaymentIntent exists. */
  readonly cancel?: boolean;
}

const at = (type: string, created: number, pi: string, id = `evt_${randomUUID()}`): PaymentEventPayload => ({
  stripe_event_id: id,
  type,
  created,
  payment_intent_id: pi,
  payment_intent_status: type.replace('payment_intent.', ''),
  failure: null,
});

const SCENARIOS: Scenario[] = [
  { name: 'canceled-by-caller', cancel: true },
  { name: 'webhook-success', events: (pi) => [at('payment_intent.succeeded', 100, pi)] },
  {
    name: 'duplicate-and-out-of-order-events',
    events: (pi) => {
      const processing = at('payment_intent.processing', 200, pi);
      return [
        processing,
        processing,
        at('payment_intent.requires_action', 100, pi),
        at('payment_intent.succeeded', 300, 'pi_someone_else'),
        at('payment_intent.succeeded', 300, pi),
      ];
    },
  },
  { name: 'webhook-payment-failed', events: (pi) => [at('payment_intent.payment_failed', 100, pi)] },
  {
    name: 'card-declined-on-create',
    request: { payment_method: 'pm_card_chargeDeclined' },
    before: (proxy) =>
      proxy.failNext('/v1/payment_intents', 1, 402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      }),
  },
  {
    name: 'stripe-500-retried',
    before: (proxy) => proxy.failNext('/v1/payment_intents', 1, 500),
    events: (pi) => [at('payment_intent.succeeded', 100, pi)],
  },
  { name: 'reconciled-without-webhook', timing: { reconcile_after_seconds: 1 } },
  {
    name: 'requires-action-expired',
    timing: { requires_action_window_seconds: 2, reconcile_after_seconds: 60 },
    events: (pi) => [at('payment_intent.requires_action', 100, pi)],
  },
];

/** Two refunds, a repeated one, a refund webhook, then the (short) refund window closes. */
async function recordRefunds(client: Client, taskQueue: string): Promise<void> {
  const id = randomUUID();
  const charge: ChargeRecord = {
    event_id: `evt-replay-refunds-${id}`,
    order_id: `order-replay-${id}`,
    status: 'succeeded',
    amount: 5000,
    currency: 'usd',
    payment_intent_id: 'pi_replay',
    failure: null,
    updated_at: new Date().toISOString(),
  };
  const ports = createChargeWorkflows(client, taskQueue);
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
  process.stdout.write(`refunds: ${save('refunds', handle.workflowId)} events\n`);
}

async function main(): Promise<void> {
  const proxy = await startStripeRecordingProxy(stack.stripeApiBase);
  const service = await startTestService({ STRIPE_API_BASE: proxy.url, LOG_LEVEL: 'warn' });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  fs.mkdirSync(OUT, { recursive: true });
  try {
    for (const scenario of SCENARIOS) {
      const id = randomUUID();
      const request: ChargeRequest = {
        event_id: `evt-replay-${scenario.name}-${id}`,
        order_id: `order-replay-${id}`,
        amount: 2599,
        currency: 'usd',
        ...scenario.request,
      };
      scenario.before?.(proxy);
      await createChargeWorkflows(client, service.config.temporal.taskQueue).start({
        request,
        payload_hash: 'recorded',
        timing: { ...DEFAULT_CHARGE_TIMING, ...scenario.timing },
      });
      const handle = client.workflow.getHandle(chargeWorkflowId(request.event_id));
      if (scenario.events || scenario.cancel) {
        const pi = await waitUntil(
          async () => (await handle.query(chargeStateQuery)).payment_intent_id ?? undefined,
          'PI',
        );
        for (const event of scenario.events?.(pi) ?? []) await handle.signal(stripeEventSignal, event);
        if (scenario.cancel) await handle.executeUpdate(cancelChargeUpdate);
      }
      await handle.result().catch(() => undefined);
      // The CLI writes the standard JSON history format that historyFromJSON (and the Web UI) read.
      const events = save(scenario.name, handle.workflowId);
      const final = await handle.query(chargeStateQuery);
      process.stdout.write(`${scenario.name}: ${final.status} (${events} events)\n`);
    }
    await recordRefunds(client, service.config.temporal.taskQueue);
  } finally {
    await connection.close();
    await service.stop();
    await proxy.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
