import type { LateSuccessPolicy } from '../../src/contracts/late-outcome';
import {
  TemporalUnavailableError,
  type ChargeWorkflows,
  type EarlyAnswer,
  type EarlyStartResult,
  type ExistingCharge,
  type StartResult,
  type RefundOutcome,
  type UpdateOutcome,
} from '../../src/api/temporal/charge-workflows';
import {
  awaitsCustomer,
  AUTHORIZATION_EXPIRED,
  CAPTURE_EXCEEDS_CAPTURABLE,
  CAPTURE_REFUSED,
  CHARGE_ALREADY_FAILED,
  CHARGE_ALREADY_SUCCEEDED,
  CHARGE_NOT_AUTHORIZED,
  type CaptureRequest,
  type ChargeStatus,
} from '../../src/contracts/charge';
import {
  CHARGE_LOOKUP_FAILED,
  CHARGE_NOT_FOUND,
  CHARGE_NOT_REFUNDABLE,
  REFUND_EXCEEDS_REMAINDER,
  REFUND_ID_CONFLICT,
  type RefundAnswer,
  type RefundRequest,
  type RefundsWorkflowInput,
} from '../../src/contracts/refund';
import type { RefundsState } from '../../src/workflows/messages';
import type { PaymentEventPayload, RefundEventPayload } from '../../src/contracts/payment-provider';
import { chargeWorkflowId, type ChargeRecord, type ChargeWorkflowInput } from '../../src/contracts/charge';

/** An in-memory stand-in for Temporal with the same one-workflow-per-id rule, for API tests. */
export class FakeChargeWorkflows implements ChargeWorkflows {
  readonly started: ChargeWorkflowInput[] = [];
  readonly signals: Array<{ eventId: string; payload: PaymentEventPayload }> = [];
  /** Events handed to the late-outcome handling, and what the fake answers for them. */
  readonly lateEvents: Array<{ eventId: string; payload: PaymentEventPayload; policy: LateSuccessPolicy }> =
    [];
  lateAnswer: 'started' | 'agrees' = 'started';
  readonly finished = new Set<string>();
  /** Status the fake reports per event_id (pending unless a test sets it). */
  readonly statuses = new Map<string, ChargeStatus>();
  /** The PaymentIntent the fake reports per event_id (none unless a test sets it). */
  readonly paymentIntents = new Map<string, string>();
  /**
   * How a wait for the PaymentIntent ends: `ready` answers at once with the record getState reports,
   * `late` as if the wait ran out first (`not_ready`, timeout).
   */
  earlyAnswer: 'ready' | 'late' = 'ready';
  /** The waits (ms) the gateway asked for, in order. */
  readonly waits: number[] = [];
  readonly refunds = new Map<string, Array<{ request: RefundRequest; amount: number }>>();
  readonly refundSignals: RefundEventPayload[] = [];
  unavailable = false;
  /** Manual capture: the hold's expiry the fake reports; `expired` ones refuse captures as the workflow does. */
  readonly holdExpiry = new Map<string, { readonly at: string; readonly expired: boolean }>();
  /** What was captured per event_id (a repeat answers the same capture). */
  readonly captured = new Map<string, number>();
  /** How often a capture reached the (fake) workflow, per event_id, refusals included. */
  readonly captureCalls = new Map<string, number>();
  /** Charges whose next capture Stripe refuses (the workflow's capture_refused), with Stripe's message. */
  readonly captureRefusals = new Map<string, string>();
  /** The next_action the fake's workflow holds per event_id (null unless a test sets one). */
  readonly nextActions = new Map<string, Record<string, unknown>>();
  /**
   * Charges started before the workflow kept the client_secret: their record lacks it until
   * loadClientSecret has read it (which drops them from here).
   */
  readonly startedBeforeSecretKept = new Set<string>();
  /**
   * How the transitional read ends: `late` plays one not finished in time (Stripe slow, the queue
   * backlogged), `refused` a worker of older code that has no loadClientSecret handler.
   */
  secretRead: 'ok' | 'late' | 'refused' = 'ok';
  /** The loadClientSecret calls, by event_id, in order. */
  readonly secretLoads: string[] = [];
  /** Every call, refused or not: what the gateway asked Temporal. */
  readonly calls = { start: 0, describe: 0 };
  /** The calls that wait for the PaymentIntent (`Prefer: wait=N`). */
  readonly earlyCalls = { startWithEarlyAnswer: 0, awaitPaymentIntent: 0 };

  private check(): void {
    if (this.unavailable) throw new TemporalUnavailableError(new Error('14 UNAVAILABLE: connection refused'));
  }

  /** The charge's workflow is deleted, as namespace retention does to a closed one. */
  expire(eventId: string): void {
    const index = this.started.findIndex((s) => s.request.event_id === eventId);
    if (index >= 0) this.started.splice(index, 1);
  }

  private find(eventId: string): ChargeWorkflowInput | undefined {
    return this.started.find((s) => s.request.event_id === eventId);
  }

  async start(input: ChargeWorkflowInput): Promise<StartResult> {
    this.calls.start++;
    this.check();
    const workflowId = chargeWorkflowId(input.request.event_id);
    if (this.find(input.request.event_id)) return { kind: 'exists', workflowId };
    this.started.push(input);
    return { kind: 'started', workflowId, runId: `run-${this.started.length}` };
  }

  async startWithEarlyAnswer(input: ChargeWorkflowInput, waitMs: number): Promise<EarlyStartResult> {
    this.earlyCalls.startWithEarlyAnswer++;
    this.waits.push(waitMs);
    this.check();
    const workflowId = chargeWorkflowId(input.request.event_id);
    if (this.find(input.request.event_id)) return { kind: 'exists', workflowId };
    this.started.push(input);
    return {
      kind: 'started',
      workflowId,
      runId: `run-${this.started.length}`,
      early: await this.early(input.request.event_id),
    };
  }

  async awaitPaymentIntent(eventId: string, waitMs: number): Promise<EarlyAnswer> {
    this.earlyCalls.awaitPaymentIntent++;
    this.waits.push(waitMs);
    this.check();
    return this.early(eventId);
  }

  private async early(eventId: string): Promise<EarlyAnswer> {
    const record = await this.getState(eventId);
    if (this.earlyAnswer === 'late' || record === undefined) return { kind: 'not_ready', reason: 'timeout' };
    return { kind: 'ready', record };
  }

  /** The client_secret the fake's workflows hold for a PaymentIntent. */
  static secretOf(paymentIntentId: string): string {
    return `${paymentIntentId}_secret_fakeFAKEfake`;
  }

  async loadClientSecret(eventId: string, waitMs: number): Promise<EarlyAnswer> {
    this.secretLoads.push(eventId);
    this.waits.push(waitMs);
    this.check();
    if (this.secretRead === 'late') return { kind: 'not_ready', reason: 'timeout' };
    if (this.secretRead === 'refused') return { kind: 'not_ready', reason: 'update_refused' };
    this.startedBeforeSecretKept.delete(eventId);
    const record = await this.getState(eventId);
    return record === undefined ? { kind: 'not_ready', reason: 'closed' } : { kind: 'ready', record };
  }

  async describe(eventId: string): Promise<ExistingCharge | undefined> {
    this.calls.describe++;
    this.check();
    const found = this.find(eventId);
    if (!found) return undefined;
    return {
      workflowId: chargeWorkflowId(eventId),
      runId: 'run-1',
      payloadHash: found.payload_hash,
      status: this.statuses.get(eventId) ?? 'pending',
    };
  }

  async getState(eventId: string): Promise<ChargeRecord | undefined> {
    this.check();
    const found = this.find(eventId);
    if (!found) return undefined;
    const { request } = found;
    const status = this.statuses.get(eventId) ?? 'pending';
    const pi = this.paymentIntents.get(eventId) ?? null;
    // As the workflow answers (toCallerRecord): the secret while the charge awaits the customer.
    const customer = !awaitsCustomer(status)
      ? {}
      : pi === null
        ? { client_secret: null, next_action: null }
        : this.startedBeforeSecretKept.has(eventId)
          ? {}
          : {
              client_secret: FakeChargeWorkflows.secretOf(pi),
              next_action: this.nextActions.get(eventId) ?? null,
            };
    return {
      ...customer,
      event_id: request.event_id,
      order_id: request.order_id,
      status: this.statuses.get(eventId) ?? 'pending',
      amount: request.amount,
      currency: request.currency,
      payment_intent_id: this.paymentIntents.get(eventId) ?? null,
      failure: null,
      updated_at: '2026-01-01T00:00:00.000Z',
      ...(request.capture === 'manual'
        ? {
            capture: {
              capture_method: 'manual' as const,
              amount_capturable: this.captured.has(eventId) ? 0 : request.amount,
              authorization_expires_at: this.holdExpiry.get(eventId)?.at ?? null,
              amount_captured: this.captured.get(eventId) ?? null,
            },
          }
        : {}),
    };
  }

  /** The workflow's capture update, as its validator and handler answer (charge.ts). */
  async capture(
    eventId: string,
    request: CaptureRequest,
  ): Promise<UpdateOutcome<ChargeRecord> | { readonly kind: 'closed' }> {
    this.check();
    this.captureCalls.set(eventId, (this.captureCalls.get(eventId) ?? 0) + 1);
    const record = await this.getState(eventId);
    if (!record || this.finished.has(eventId)) return { kind: 'closed' };
    if (this.captured.has(eventId)) return { kind: 'ok', value: record };
    const expiry = this.holdExpiry.get(eventId);
    if (expiry?.expired) {
      return {
        kind: 'rejected',
        type: AUTHORIZATION_EXPIRED,
        message: `the authorization expired at ${expiry.at}; capture is no longer possible`,
      };
    }
    if (record.status !== 'authorized') {
      return { kind: 'rejected', type: CHARGE_NOT_AUTHORIZED, message: `the charge is ${record.status}` };
    }
    const refusal = this.captureRefusals.get(eventId);
    if (refusal !== undefined) {
      this.captureRefusals.delete(eventId);
      return { kind: 'rejected', type: CAPTURE_REFUSED, message: `Stripe refused the capture: ${refusal}` };
    }
    if (request.amount !== undefined && request.amount > record.amount) {
      return {
        kind: 'rejected',
        type: CAPTURE_EXCEEDS_CAPTURABLE,
        message: `amount ${request.amount} exceeds the capturable ${record.amount}`,
      };
    }
    this.captured.set(eventId, request.amount ?? record.amount);
    this.statuses.set(eventId, 'succeeded');
    return { kind: 'ok', value: (await this.getState(eventId)) as ChargeRecord };
  }

  async handOverLateEvent(
    eventId: string,
    _orderId: string | undefined,
    payload: PaymentEventPayload,
    policy: LateSuccessPolicy,
  ): Promise<'started' | 'agrees'> {
    this.check();
    this.lateEvents.push({ eventId, payload, policy });
    return this.lateAnswer;
  }

  async signalStripeEvent(
    eventId: string,
    payload: PaymentEventPayload,
  ): Promise<'signalled' | 'not_running'> {
    this.check();
    if (!this.find(eventId) || this.finished.has(eventId)) return 'not_running';
    this.signals.push({ eventId, payload });
    return 'signalled';
  }

  async cancel(eventId: string): Promise<UpdateOutcome<ChargeRecord> | { readonly kind: 'closed' }> {
    this.check();
    const record = await this.getState(eventId);
    if (!record) return { kind: 'closed' };
    if (record.status === 'succeeded') {
      return {
        kind: 'rejected',
        type: CHARGE_ALREADY_SUCCEEDED,
        message: 'the charge has succeeded; refund it instead',
      };
    }
    if (record.status === 'failed') {
      return { kind: 'rejected', type: CHARGE_ALREADY_FAILED, message: 'the charge has already failed' };
    }
    this.statuses.set(eventId, 'canceled');
    return { kind: 'ok', value: { ...record, status: 'canceled' } };
  }

  /** Charges whose refunds workflow has ended with its window (REJECT_DUPLICATE refuses a new one). */
  readonly refundWindowClosed = new Set<string>();

  /**
   * What Stripe says of charges whose workflow is gone (a refund without a record looks them up):
   * none is Stripe's "no such payment". `held` answers as if Stripe had not answered in time.
   */
  readonly stripeCharges = new Map<string, { status: string; amount: number } | 'held' | 'lookup_refused'>();
  /** The refund inputs the gateway sent, in order (with or without the charge's record). */
  readonly refundInputs: RefundsWorkflowInput[] = [];

  async refund(input: RefundsWorkflowInput, request: RefundRequest): Promise<RefundOutcome> {
    this.check();
    this.refundInputs.push(input);
    let charge: { event_id: string; amount: number };
    if (input.charge === null) {
      const atStripe = this.stripeCharges.get(input.event_id);
      if (atStripe === undefined) return { kind: 'rejected', type: CHARGE_NOT_FOUND, message: 'no charge' };
      if (atStripe === 'held') return { kind: 'held' };
      if (atStripe === 'lookup_refused') {
        return { kind: 'rejected', type: CHARGE_LOOKUP_FAILED, message: 'the charge could not be looked up' };
      }
      if (atStripe.status !== 'succeeded') {
        return { kind: 'rejected', type: CHARGE_NOT_REFUNDABLE, message: `the charge is ${atStripe.status}` };
      }
      charge = { event_id: input.event_id, amount: atStripe.amount };
    } else {
      charge = input.charge;
    }
    if (this.refundWindowClosed.has(charge.event_id)) return { kind: 'window_closed' };
    const ledger = this.refunds.get(charge.event_id) ?? [];
    this.refunds.set(charge.event_id, ledger);
    const answer = (amount: number, duplicate: boolean): UpdateOutcome<RefundAnswer> => ({
      kind: 'ok',
      value: {
        duplicate,
        refund: {
          refund_id: request.refund_id,
          amount,
          reason: request.reason ?? null,
          status: 'succeeded',
          stripe_refund_id: 're_fake',
          failure: null,
          updated_at: '2026-01-01T00:00:00.000Z',
        },
      },
    });
    const existing = ledger.find((r) => r.request.refund_id === request.refund_id);
    if (existing) {
      const same = existing.request.amount === request.amount && existing.request.reason === request.reason;
      return same
        ? answer(existing.amount, true)
        : { kind: 'rejected', type: REFUND_ID_CONFLICT, message: 'conflict' };
    }
    const left = charge.amount - ledger.reduce((n, r) => n + r.amount, 0);
    const amount = request.amount ?? left;
    if (amount > left)
      return { kind: 'rejected', type: REFUND_EXCEEDS_REMAINDER, message: `exceeds ${left}` };
    ledger.push({ request, amount });
    return answer(amount, false);
  }

  async getRefunds(eventId: string): Promise<RefundsState | undefined> {
    this.check();
    const ledger = this.refunds.get(eventId);
    if (!ledger) return undefined;
    return { refunds: [], refunded_amount: ledger.reduce((n, r) => n + r.amount, 0) };
  }

  async signalRefundEvent(
    eventId: string,
    payload: RefundEventPayload,
  ): Promise<'signalled' | 'not_running'> {
    this.check();
    if (!this.refunds.has(eventId)) return 'not_running';
    this.refundSignals.push(payload);
    return 'signalled';
  }
}
