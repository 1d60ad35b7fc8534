/**
 * Runs every webhook case against a real receiver (the service in this process, all roles, real
 * Temporal, stripe-mock) with a live charge of its own: a workflow waiting for Stripe's verdict.
 * "Accepted as a signal" is counted by the server: WorkflowExecutionSignaled events in the charge's
 * history. Attacks must leave 0 and the charge pending; legitimate deliveries must complete it.
 */
import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { chargeWorkflowId, type ChargeRecord } from '../../src/contracts/charge';
import { lateOutcomeWorkflowId } from '../../src/contracts/late-outcome';
import type { ChargeWorkflow } from '../../src/workflows/charge';
import type { LateOutcomeWorkflow } from '../../src/workflows/late-outcome';
import { AUTH_HEADER, startTestService, type TestService } from '../../test/support/service';
import { stackAddresses } from '../../test/support/stack';
import { waitUntil } from '../../test/support/wait';
import { connectTemporal, signalsReceived } from '../common/temporal';
import { WEBHOOK_CASES, type Secrets, type WebhookCase } from './cases';

export const ATTACK_SECRETS: Secrets = {
  current: 'whsec_attack_suite_current',
  previous: 'whsec_attack_suite_previous',
};

export interface CaseOutcome {
  readonly name: string;
  readonly mustBeAccepted: boolean;
  readonly expectedStatus: number;
  readonly status: number | 'conn';
  /** Signals in the charge's history after the delivery (0 for a charge that has no workflow). */
  readonly signals: number;
  readonly accepted: boolean;
  /** The charge's status afterwards. */
  readonly chargeStatus: string;
  /** A body the receiver refused (4xx) appeared in a log line (found by its unique marker). */
  readonly bodyLogged: boolean;
  readonly problems: readonly string[];
}

export interface AttackReport {
  readonly outcomes: readonly CaseOutcome[];
  readonly attacksTried: number;
  readonly attacksAccepted: number;
  readonly legitimateTried: number;
  readonly legitimateAccepted: number;
  readonly rejectionsLogged: number;
  readonly wallSeconds: number;
  readonly passed: boolean;
}

interface LiveCharge {
  readonly eventId: string;
  readonly paymentIntentId: string;
}

async function liveCharge(service: TestService): Promise<LiveCharge> {
  const eventId = `evt-attack-${randomUUID()}`;
  const res = await fetch(`${service.url}/charge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH_HEADER },
    body: JSON.stringify({ event_id: eventId, order_id: `order-${eventId}`, amount: 1999, currency: 'usd' }),
  });
  if (res.status !== 202) throw new Error(`could not start a live charge: ${res.status} ${await res.text()}`);
  const paymentIntentId = await waitUntil(
    async () => (await readCharge(service, eventId))?.payment_intent_id ?? undefined,
    `the PaymentIntent of ${eventId}`,
    30_000,
  );
  return { eventId, paymentIntentId };
}

async function readCharge(service: TestService, eventId: string): Promise<ChargeRecord | undefined> {
  const res = await fetch(`${service.url}/charges/${eventId}`, { headers: AUTH_HEADER });
  return res.status === 200 ? ((await res.json()) as ChargeRecord) : undefined;
}

async function signalsOf(temporal: Client, eventId: string): Promise<number> {
  try {
    return await signalsReceived(temporal, chargeWorkflowId(eventId));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 0;
    if (isGrpcServiceError(err) && err.code === GrpcStatus.NOT_FOUND) return 0;
    throw err;
  }
}

async function deliver(url: string, body: string | Buffer, signature: string | undefined) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'stripe-signature': signature }),
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text() };
  } catch {
    return { status: 'conn' as const, text: '' };
  }
}

async function runCase(c: WebhookCase, service: TestService, temporal: Client): Promise<CaseOutcome> {
  const problems: string[] = [];
  const charge = c.foreignCharge
    ? {
        eventId: `evt-other-account-${randomUUID()}`,
        paymentIntentId: `pi_other_${randomUUID().slice(0, 8)}`,
      }
    : await liveCharge(service);
  const marker = `evt_case_${randomUUID().replace(/-/g, '')}`;
  const delivery = c.build({ ...charge, marker }, ATTACK_SECRETS, Math.floor(Date.now() / 1000));
  const answer = await deliver(`${service.url}/stripe/webhook`, delivery.body, delivery.signature);
  if (answer.status !== c.expectedStatus)
    problems.push(`answered ${answer.status}, expected ${c.expectedStatus}`);
  const signals = await signalsOf(temporal, charge.eventId);
  let chargeStatus = c.foreignCharge ? 'no workflow' : 'pending';
  if (c.foreignCharge) {
    // Stripe says it took money for a charge we do not hold (never ours, or no longer retained):
    // the late-outcome handling alerts an operator and moves no money.
    const verdict = await temporal.workflow
      .getHandle<typeof LateOutcomeWorkflow>(lateOutcomeWorkflowId(charge.eventId))
      .result()
      .catch((err: unknown) => `no late-outcome workflow (${String(err)})`);
    if (verdict !== 'operator') problems.push(`late outcome ${verdict}, expected operator`);
  }
  if (c.mustBeAccepted) {
    const result = await temporal.workflow
      .getHandle<typeof ChargeWorkflow>(chargeWorkflowId(charge.eventId))
      .result();
    chargeStatus = result.status;
    if (chargeStatus !== 'succeeded') problems.push(`charge ended ${chargeStatus}`);
  } else if (!c.foreignCharge) {
    chargeStatus = (await readCharge(service, charge.eventId))?.status ?? 'unreadable';
    if (chargeStatus !== 'pending') problems.push(`charge moved to ${chargeStatus}`);
    // The charge did its job; it would otherwise wait days for a webhook no one sends.
    if (chargeStatus === 'pending') {
      await temporal.workflow
        .getHandle(chargeWorkflowId(charge.eventId))
        .terminate('webhook attack suite over');
    }
  }
  const accepted = signals > 0;
  if (accepted !== c.mustBeAccepted)
    problems.push(accepted ? `${signals} signal(s) reached the charge` : 'no signal');
  // A refused delivery is unauthenticated input: none of it may reach the logs.
  const bodyLogged =
    answer.status !== 200 && service.logs.some((line) => JSON.stringify(line).includes(marker));
  if (bodyLogged) problems.push('the refused body was logged');
  return {
    name: c.name,
    mustBeAccepted: c.mustBeAccepted,
    expectedStatus: c.expectedStatus,
    status: answer.status,
    signals,
    accepted,
    chargeStatus,
    bodyLogged,
    problems,
  };
}

export async function runWebhookAttacks(
  cases: readonly WebhookCase[] = WEBHOOK_CASES,
  log: (line: string) => void = () => undefined,
): Promise<AttackReport> {
  const began = Date.now();
  const service = await startTestService({
    PAYMENTS_MODE: 'all',
    STRIPE_WEBHOOK_SECRET: `${ATTACK_SECRETS.current},${ATTACK_SECRETS.previous}`,
    LOG_LEVEL: 'info',
  });
  const temporal = await connectTemporal(stackAddresses());
  try {
    const outcomes = await Promise.all(cases.map((c) => runCase(c, service, temporal)));
    for (const o of outcomes)
      log(`${o.problems.length === 0 ? 'ok  ' : 'FAIL'} ${o.name}: ${o.status}, ${o.signals} signal(s)`);
    const attacks = outcomes.filter((o) => !o.mustBeAccepted);
    const legitimate = outcomes.filter((o) => o.mustBeAccepted);
    return {
      outcomes,
      attacksTried: attacks.length,
      attacksAccepted: attacks.filter((o) => o.accepted).length,
      legitimateTried: legitimate.length,
      legitimateAccepted: legitimate.filter((o) => o.accepted).length,
      rejectionsLogged: service.logs.filter((l) => l['msg'] === 'webhook signature rejected').length,
      wallSeconds: Math.round((Date.now() - began) / 100) / 10,
      passed: outcomes.every((o) => o.problems.length === 0),
    };
  } finally {
    await temporal.connection.close();
    await service.stop();
  }
}
