/**
 * The charge's state machine (charge-state.ts + charge-steps.ts) driven, the way ChargeWorkflow drives
 * it, against a model of Stripe's PaymentIntent (test/support/stripe-payment-intent-model.ts), by
 * generated worlds: customers confirming, declining and retrying with the client_secret, 3-D Secure
 * finished or not, delayed payments settling, webhooks duplicated, reordered and lost, Stripe down for
 * any length of time or refusing a call, a caller's cancel, and timers firing — before and after the
 * charge is announced. After every step: what the platform was told equals what Stripe did with the
 * money, and it is told once. Manual-capture charges too: captures of any part of the hold (repeated,
 * refused), voids, the hold's expiry at Stripe and in the workflow; an authorization is announced
 * once, only once Stripe holds the money, and a capture is announced for exactly what Stripe took.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_CAPTURE_POLICY,
  DEFAULT_CHARGE_TIMING,
  isTerminal,
  type ChargeRequest,
  type ChargeStatus,
} from '../../src/contracts/charge';
import {
  initialChargeState,
  onAuthorizedPublished,
  onCaptureRefused,
  onCaptureRequested,
  onCapturedAtStripe,
  onHoldExpiring,
  onCancelRefused,
  onCancelRequested,
  onCanceled,
  onCreateRefused,
  onCreated,
  onCreateWindowExhausted,
  onDeadline,
  onLookupFoundNothing,
  onPaymentIntent,
  onPublished,
  onContradictionHandedOver,
  onReconciled,
  onStripeEvent,
  onStripeUnanswered,
  takeEarlyEvents,
  type ChargeState,
} from '../../src/workflows/charge-state';
import { nextStep, type ChargeStep } from '../../src/workflows/charge-steps';
import {
  StripePaymentIntentModel,
  type AttemptOutcome,
  type StripePaymentIntentStatus,
} from '../support/stripe-payment-intent-model';

const HOUR = 3600_000;
const CREATE_WINDOW_MS = 23 * HOUR;

type Action =
  | { readonly kind: 'confirm'; readonly outcome: AttemptOutcome }
  | { readonly kind: 'authenticate'; readonly outcome: Exclude<AttemptOutcome, 'authenticate'> }
  | { readonly kind: 'settle'; readonly ok: boolean }
  | { readonly kind: 'deliver'; readonly pick: number; readonly duplicate: boolean }
  | { readonly kind: 'drop'; readonly pick: number }
  | { readonly kind: 'outage'; readonly ms: number }
  | { readonly kind: 'refuse'; readonly calls: number }
  | { readonly kind: 'tick'; readonly ms: number }
  | { readonly kind: 'timer' }
  | { readonly kind: 'cancel' }
  /** Manual capture: the caller captures this share (per mille) of the hold. */
  | { readonly kind: 'capture'; readonly share: number }
  /** Manual capture: Stripe's authorization expires (it cancels the PaymentIntent). */
  | { readonly kind: 'stripe_expires' }
  /**
   * The next create reaches Stripe, but its answer reaches the workflow only after this many more
   * actions: the PaymentIntent's webhooks can come first (held until the answer).
   */
  | { readonly kind: 'answer_late'; readonly actions: number };

const attempt = fc.constantFrom<AttemptOutcome>('succeed', 'decline', 'authenticate', 'process');
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('confirm' as const), outcome: attempt }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('authenticate' as const),
      outcome: fc.constantFrom<'succeed' | 'decline' | 'process'>('succeed', 'decline', 'process'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), duplicate: fc.boolean() }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }), weight: 1 },
  // From a minute to three days: outages far longer than any activity window.
  {
    arbitrary: fc.record({
      kind: fc.constant('outage' as const),
      ms: fc.integer({ min: 60_000, max: 72 * HOUR }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('refuse' as const), calls: fc.integer({ min: 1, max: 3 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.integer({ min: 1000, max: 30 * HOUR }),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'timer' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'cancel' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('capture' as const), share: fc.integer({ min: 1, max: 1000 }) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'stripe_expires' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('answer_late' as const),
      actions: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 1,
  },
);

/** How many creates or look-ups found webhooks held before them (the generators must reach it). */
let heardBeforeTheAnswer = 0;

interface Announcement {
  readonly status: ChargeStatus;
  /** What Stripe's PaymentIntent was when the platform was told (null: none was ever created). */
  readonly stripeStatus: StripePaymentIntentStatus | null;
}

/** One charge's world: the machine as ChargeWorkflow runs it, and Stripe as the model keeps it. */
class World {
  nowMs = 1_700_000_000_000;
  state: ChargeState;
  pi: StripePaymentIntentModel | null = null;
  /** An activity that has started: it completes (with Stripe as it is then) or keeps retrying. */
  inFlight: { readonly step: ChargeStep; readonly since: number } | null = null;
  outageUntil = 0;
  refusals = 0;
  /** Actions left before a create that reached Stripe answers the workflow. */
  createAnswerHeld = 0;
  delivered = 0;
  readonly lost = new Set<string>();
  readonly undelivered: number[] = [];
  readonly announced: Announcement[] = [];
  /** Stripe's PaymentIntent status each time payments.authorized was published. */
  readonly authorizations: StripePaymentIntentStatus[] = [];
  /** Stripe events the charge handed to the late-outcome handling (it corrects the announcement). */
  readonly handedOver: string[] = [];

  constructor(
    readonly request: ChargeRequest,
    private readonly serverOutcome: AttemptOutcome,
  ) {
    this.state = initialChargeState(
      request,
      DEFAULT_CHARGE_TIMING,
      this.iso(),
      request.capture === 'manual' ? DEFAULT_CAPTURE_POLICY : null,
    );
  }

  private iso(): string {
    return new Date(this.nowMs).toISOString();
  }

  private seconds = (): number => Math.floor(this.nowMs / 1000);

  private stripeDown(): boolean {
    return this.nowMs < this.outageUntil;
  }

  /** Events Stripe emitted since the last look, queued for (re)ordered delivery. */
  private collectEmitted(): void {
    const emitted = this.pi?.emitted.length ?? 0;
    for (; this.delivered < emitted; this.delivered++) this.undelivered.push(this.delivered);
  }

  apply(a: Action): void {
    if (this.createAnswerHeld > 0) this.createAnswerHeld -= 1;
    switch (a.kind) {
      case 'confirm':
        // A browser's customer confirms with the client_secret, which comes with the create's answer.
        if (this.request.payment_method !== undefined || this.state.paymentIntentId !== null) {
          this.pi?.confirm(a.outcome);
        }
        break;
      case 'answer_late':
        this.createAnswerHeld = a.actions;
        break;
      case 'authenticate':
        this.pi?.authenticate(a.outcome);
        break;
      case 'settle':
        this.pi?.settle(a.ok);
        break;
      case 'deliver':
      case 'drop': {
        this.collectEmitted();
        if (this.undelivered.length === 0 || this.pi === null) break;
        const at = a.pick % this.undelivered.length;
        const index = this.undelivered[at] ?? 0;
        const duplicate = a.kind === 'deliver' && a.duplicate;
        if (!duplicate) this.undelivered.splice(at, 1);
        const event = this.pi.emitted[index];
        if (a.kind === 'deliver' && event !== undefined) {
          this.state = onStripeEvent(this.state, event, this.iso(), this.nowMs).state;
        }
        break;
      }
      case 'outage':
        this.outageUntil = this.nowMs + a.ms;
        break;
      case 'refuse':
        this.refusals = a.calls;
        break;
      case 'tick':
        this.nowMs += a.ms;
        break;
      case 'timer': {
        const step = this.inFlight?.step ?? nextStep(this.state, this.nowMs);
        if (step.kind === 'wait') this.nowMs = Math.max(this.nowMs, step.until);
        else if (this.stripeDown()) this.nowMs = this.outageUntil;
        break;
      }
      case 'cancel':
        // The update's validator refuses a succeeded or failed charge (the gateway answers 409).
        if (this.state.status !== 'succeeded' && this.state.status !== 'failed') {
          this.state = onCancelRequested(this.state);
        }
        break;
      case 'capture': {
        // As the capture update's validator: only an authorized charge, at most what is held.
        const capturable = this.state.amountCapturable ?? 0;
        if (
          this.state.status === 'authorized' &&
          capturable > 0 &&
          this.nowMs < (this.state.holdExpiresAt ?? 0)
        ) {
          const amount = Math.max(1, Math.floor((capturable * a.share) / 1000));
          this.state = onCaptureRequested(this.state, amount);
        }
        break;
      }
      case 'stripe_expires':
        this.pi?.expireAuthorization();
        break;
    }
    this.collectEmitted();
    this.run();
  }

  /** Performs steps as the workflow does until it waits, is blocked on Stripe, or is done. */
  run(): void {
    for (let i = 0; i < 50; i++) {
      const step = this.inFlight?.step ?? nextStep(this.state, this.nowMs);
      if (step.kind === 'wait' || step.kind === 'done') return;
      if (!this.perform(step)) return;
      this.collectEmitted();
    }
    assert.fail(`the machine did not settle: ${JSON.stringify(nextStep(this.state, this.nowMs))}`);
  }

  /**
   * As the workflow hears a PaymentIntent: alone, then each webhook held before it, one at a time
   * (so its upserts do not depend on activations); that ends where applying them together does.
   */
  private hearPaymentIntent(apply: (held: ChargeState) => ChargeState, now: string): ChargeState {
    const { state: held, early } = takeEarlyEvents(this.state);
    if (early.length > 0) heardBeforeTheAnswer += 1;
    let next = apply(held);
    for (const event of early) next = onStripeEvent(next, event, now, this.nowMs).state;
    assert.deepEqual(next, apply(this.state), 'one word at a time ends where all of them at once do');
    return next;
  }

  /** One step; false while its activity keeps retrying through an outage. */
  private perform(step: ChargeStep): boolean {
    const needsStripe =
      step.kind === 'create' ||
      step.kind === 'lookup' ||
      step.kind === 'reconcile' ||
      step.kind === 'cancel' ||
      step.kind === 'capture';
    if (needsStripe && this.stripeDown()) {
      this.inFlight ??= { step, since: this.nowMs };
      if (step.kind === 'create' && this.nowMs - this.inFlight.since >= CREATE_WINDOW_MS) {
        this.inFlight = null;
        this.state = onCreateWindowExhausted(this.state);
        return true;
      }
      return false;
    }
    this.inFlight = null;
    const now = this.iso();
    switch (step.kind) {
      case 'create': {
        if (this.pi === null) {
          this.pi = new StripePaymentIntentModel(
            `pi_${this.request.event_id}`,
            this.request.amount,
            this.request.currency,
            this.seconds,
            this.request.capture === 'manual' ? 'manual' : 'automatic',
          );
          if (this.request.payment_method !== undefined) this.pi.confirm(this.serverOutcome);
        }
        if (this.createAnswerHeld > 0) {
          this.inFlight = { step, since: this.nowMs };
          return false;
        }
        const outcome = this.pi.outcome();
        const declined =
          this.request.payment_method !== undefined &&
          this.pi.status === 'requires_payment_method' &&
          this.pi.lastPaymentError !== null;
        this.state = declined
          ? onCreateRefused(
              this.state,
              this.pi.lastPaymentError ?? { code: 'x', message: 'x' },
              this.pi.id,
              now,
              this.nowMs,
            )
          : this.hearPaymentIntent((held) => onCreated(held, outcome, now, this.nowMs), now);
        return true;
      }
      case 'lookup':
        if (this.refusals > 0) {
          this.refusals -= 1;
          this.state = onStripeUnanswered(this.state, this.nowMs);
        } else {
          const found = this.pi?.outcome();
          this.state = found
            ? this.hearPaymentIntent((held) => onPaymentIntent(held, found, now, this.nowMs), now)
            : onLookupFoundNothing(this.state);
        }
        return true;
      case 'reconcile':
        if (this.refusals > 0 || this.pi === null) {
          this.refusals = Math.max(0, this.refusals - 1);
          this.state = onStripeUnanswered(this.state, this.nowMs);
        } else {
          this.state = onReconciled(this.state, this.pi.outcome(), now, this.nowMs);
        }
        return true;
      case 'cancel':
        this.state = this.pi?.cancel()
          ? onCanceled(this.state, this.pi.outcome(), now)
          : onCancelRefused(this.state);
        return true;
      case 'expire':
        this.state = onDeadline(this.state, step.which);
        return true;
      case 'capture':
        this.state = this.pi?.capture(step.amount)
          ? onCapturedAtStripe(this.state, this.pi.outcome(), now, this.nowMs)
          : onCaptureRefused(this.state, { code: 'payment_intent_unexpected_state', message: 'refused' });
        return true;
      case 'expire_hold':
        this.state = onHoldExpiring(this.state);
        return true;
      case 'publish_authorized':
        this.authorizations.push(this.pi?.status ?? 'requires_payment_method');
        this.checkTruth();
        this.state = onAuthorizedPublished(this.state);
        return true;
      case 'publish':
        this.announced.push({ status: this.state.status, stripeStatus: this.pi?.status ?? null });
        this.checkTruth();
        this.state = onPublished(this.state);
        return true;
      case 'hand_over_late':
        assert.ok(this.state.published, 'a contradiction is handed over only after the announcement');
        this.handedOver.push(step.event.stripe_event_id);
        this.state = onContradictionHandedOver(this.state);
        return true;
      default:
        return true;
    }
  }

  /** What the platform heard equals what Stripe did with the money, and it heard it once. */
  checkTruth(): void {
    assert.ok(this.announced.length <= 1, `announced ${this.announced.length} times`);
    assert.ok(this.authorizations.length <= 1, `authorized announced ${this.authorizations.length} times`);
    if (this.request.capture !== 'manual') assert.equal(this.authorizations.length, 0);
    for (const held of this.authorizations) {
      // Announced while Stripe holds the money (or has since taken or released it: never before).
      assert.ok(
        ['requires_capture', 'succeeded', 'canceled'].includes(held),
        `authorized announced while Stripe's PaymentIntent was ${held}`,
      );
    }
    const told = this.announced[0];
    if (told === undefined) return;
    const stripeNow = this.pi?.status ?? null;
    if (told.status === 'succeeded') {
      assert.equal(stripeNow, 'succeeded', 'announced succeeded: Stripe must have taken the money');
      if (this.request.capture === 'manual') {
        assert.equal(
          this.state.amountCaptured,
          this.pi?.amountReceived,
          'announced the amount Stripe captured',
        );
      }
    } else if (stripeNow === 'succeeded' && this.handedOver.length > 0) {
      // Money taken after the announcement: the late-outcome handling corrects it (refund or announce).
      return;
    } else {
      assert.ok(
        stripeNow === null || stripeNow === 'canceled',
        `announced ${told.status} while Stripe's PaymentIntent is ${stripeNow}: money could be taken for an order announced failed`,
      );
    }
  }

  /**
   * Stripe comes back, every event arrives, time runs, and a processing payment settles (Stripe
   * promises it does): the charge must end, told once and truly.
   */
  drain(settlesOk: boolean): void {
    this.outageUntil = 0;
    this.refusals = 0;
    for (let i = 0; i < 500 && !this.state.published; i++) {
      this.apply({ kind: 'deliver', pick: 0, duplicate: false });
      this.apply({ kind: 'timer' });
      if (i === 100) this.apply({ kind: 'settle', ok: settlesOk });
    }
    assert.ok(this.state.published, `the charge never ended: ${JSON.stringify(this.state.status)}`);
    assert.ok(isTerminal(this.state.status));
  }
}

function requestFor(id: number, confirmedHere: boolean, manual: boolean): ChargeRequest {
  return {
    event_id: `evt-prop-${id}`,
    order_id: `order-${id}`,
    amount: 1999,
    currency: 'usd',
    ...(confirmedHere ? { payment_method: 'pm_card_visa' } : {}),
    ...(manual ? { capture: 'manual' as const } : {}),
  };
}

describe('the charge lifecycle against a model of Stripe (property-based)', () => {
  const paths = new Map<string, number>();

  it('tells the platform exactly what Stripe did with the money, once, whatever Stripe and the customer do', () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.boolean(),
        attempt,
        fc.array(action, { maxLength: 40 }),
        fc.boolean(),
        fc.array(action, { maxLength: 15 }),
        fc.boolean(),
        // The first create's answer late (its webhooks may come first) in a third of the worlds.
        fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 6 })),
        (confirmedHere, serverOutcome, before, settlesOk, afterAnnouncement, manual, firstAnswerLate) => {
          run += 1;
          const world = new World(requestFor(run, confirmedHere, manual), serverOutcome);
          world.apply({ kind: 'answer_late', actions: firstAnswerLate });
          for (const a of before) world.apply(a);
          world.drain(settlesOk);
          // Stripe's word after the close: a customer holding the secret tries again, late events.
          for (const a of afterAnnouncement) world.apply(a);
          world.apply({ kind: 'confirm', outcome: 'succeed' });
          world.checkTruth();
          const told = world.announced[0];
          const key = `${manual ? 'manual ' : ''}${confirmedHere ? 'server' : 'browser'}-confirmed: announced ${told?.status} · Stripe ${world.pi?.status ?? 'no PaymentIntent'}`;
          paths.set(key, (paths.get(key) ?? 0) + 1);
        },
      ),
      { numRuns: 3000, includeErrorInReport: true },
    );
  });

  it('reaches every ending from both kinds of confirmation', (t) => {
    t.diagnostic(`PaymentIntents heard after webhooks about them: ${heardBeforeTheAnswer}`);
    assert.ok(heardBeforeTheAnswer > 0, 'no generated world had webhooks arrive before the create answered');
    for (const [path, count] of [...paths].sort()) t.diagnostic(`${path}: ${count}`);
    for (const kind of ['browser', 'server']) {
      for (const status of ['succeeded', 'failed', 'canceled']) {
        assert.ok(
          [...paths.keys()].some((p) => p.startsWith(`${kind}-confirmed: announced ${status}`)),
          `no generated world ended ${kind}-confirmed ${status}`,
        );
      }
    }
    // Manual capture: captured, voided or expired (canceled), and declined (failed).
    for (const status of ['succeeded', 'failed', 'canceled']) {
      assert.ok(
        [...paths.keys()].some((p) => p.startsWith(`manual server-confirmed: announced ${status}`)),
        `no generated manual-capture world ended ${status}`,
      );
    }
  });
});
