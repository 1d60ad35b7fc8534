/**
 * The dispute's state machine: what it takes from Stripe's events (delivered at least once, in no
 * promised order), what it announces, and when the workflow acts. The property tests generate whole
 * dispute lifecycles from a small model of Stripe's (test/support/dispute-model.ts) and deliver their
 * events repeated and shuffled: every change that matters is announced exactly once, in lifecycle
 * order, and the picture ends as Stripe's last word.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DISPUTE_CHANGE_RANK,
  DEFAULT_DISPUTE_TIMING,
  type DisputeChange,
  type DisputeOwner,
} from '../../src/contracts/dispute';
import type { DisputeEventPayload } from '../../src/contracts/payment-provider';
import {
  applyDisputeEvent,
  disputeEventOf,
  disputeMoneyMismatch,
  initialDisputeState,
  markAnnounced,
  markWarned,
  nextAnnouncement,
  nextStep,
  toDisputeRecord,
  withOwner,
  type DisputeState,
} from '../../src/workflows/dispute-state';
import {
  deliveryArbitrary,
  disputePathArbitrary,
  expectedChanges,
  lifecycleOf,
  type DisputePath,
} from '../support/dispute-model';

const OURS: DisputeOwner = {
  kind: 'ours',
  event_id: 'evt-1',
  order_id: 'order-1',
  amount: 3000,
  currency: 'usd',
};
const NOW = 1_000_000;
const input = {
  dispute_id: 'dp_1',
  payment_intent_id: 'pi_1',
  charge_id: 'ch_1',
  timing: DEFAULT_DISPUTE_TIMING,
};
const fresh = (): DisputeState => initialDisputeState(input, NOW);

const WON_WITH_EVIDENCE: DisputePath = {
  inquiry: false,
  escalates: false,
  withdrawnAtCreation: false,
  evidence: true,
  outcome: 'won',
  reinstatement: 'later',
  gaps: [1],
};
const events = (path: DisputePath = WON_WITH_EVIDENCE) =>
  lifecycleOf(path, { disputeId: 'dp_1', paymentIntentId: 'pi_1' }).events;

function apply(state: DisputeState, event: DisputeEventPayload): DisputeState {
  return applyDisputeEvent(state, event, NOW).state;
}

/** Plays the workflow's loop on the pure functions: announcements only once the owner is known. */
function announceAll(state: DisputeState, heard: DisputeChange[]): DisputeState {
  if (state.owner.kind !== 'ours') return state;
  for (let change = nextAnnouncement(state); change !== undefined; change = nextAnnouncement(state)) {
    heard.push(change);
    state = markAnnounced(state, change);
  }
  return state;
}

describe('dispute state', () => {
  it('takes the first event as the opening: status, reason, money and the evidence due time', () => {
    const [created] = events();
    const state = apply(fresh(), created!);
    const record = toDisputeRecord(state);
    assert.equal(record.status, 'needs_response');
    assert.equal(record.reason, 'fraudulent');
    assert.equal(record.amount, 3000);
    assert.equal(record.currency, 'usd');
    assert.equal(record.evidence_due_by, new Date(created!.evidence_due_by! * 1000).toISOString());
    assert.equal(nextAnnouncement(state), 'opened');
  });

  it('applies a repeated Stripe event once', () => {
    const [created] = events();
    const once = apply(fresh(), created!);
    const verdict = applyDisputeEvent(once, created!, NOW);
    assert.equal(verdict.applied, false);
    assert.equal(!verdict.applied && verdict.reason, 'duplicate');
    assert.equal(verdict.state.revision, once.revision);
  });

  it('refuses an event about another PaymentIntent than the dispute was opened on', () => {
    const [created] = events();
    const verdict = applyDisputeEvent(fresh(), { ...created!, payment_intent_id: 'pi_other' }, NOW);
    assert.equal(!verdict.applied && verdict.reason, 'other_payment_intent');
    assert.equal(verdict.state.status, null);
  });

  it('takes a late, older event for its facts only: funds withdrawn, never an older status', () => {
    const [created, withdrawn, underReview] = events();
    let state = apply(fresh(), created!);
    state = apply(state, { ...underReview!, funds_withdrawn: false });
    const verdict = applyDisputeEvent(state, withdrawn!, NOW);
    assert.equal(verdict.applied && verdict.stale, true);
    assert.equal(verdict.state.status, 'under_review', 'the newer status stays');
    assert.equal(verdict.state.fundsWithdrawn, true, 'the older event still says money left');
  });

  it('within one second, lets the later stage win', () => {
    const [created, , underReview] = events();
    const sameSecond = { ...underReview!, created: created!.created };
    const state = apply(apply(fresh(), sameSecond), created!);
    assert.equal(state.status, 'under_review');
  });

  it('announces nothing while the owner is unknown, and everything once in lifecycle order when it is known', () => {
    let state = fresh();
    for (const e of events()) state = apply(state, e);
    assert.equal(nextStep(state, NOW, DEFAULT_DISPUTE_TIMING).kind, 'find_owner');
    const heard: DisputeChange[] = [];
    state = announceAll(withOwner(state, OURS, NOW), heard);
    assert.deepEqual(heard, ['opened', 'funds_withdrawn', 'closed', 'funds_reinstated']);
    assert.equal(nextAnnouncement(state), undefined);
  });

  it('ends a dispute that is not ours at once, announcing nothing', () => {
    let state = fresh();
    for (const e of events()) state = apply(state, e);
    state = withOwner(state, { kind: 'not_ours', reason: 'no_metadata' }, NOW);
    assert.deepEqual(nextStep(state, NOW, DEFAULT_DISPUTE_TIMING), { kind: 'end' });
    assert.equal(disputeEventOf(state, 'opened'), undefined);
  });

  it('writes the Kafka record of a change with the order, the outcome and when Stripe saw it', () => {
    let state = withOwner(fresh(), OURS, NOW);
    const all = events();
    for (const e of all) state = apply(state, e);
    const closed = disputeEventOf(state, 'closed');
    const closedEvent = all.find((e) => e.type === 'charge.dispute.closed');
    assert.equal(closed?.order_id, 'order-1');
    assert.equal(closed?.event_id, 'evt-1');
    assert.equal(closed?.outcome, 'won');
    assert.equal(closed?.occurred_at, new Date(closedEvent!.created * 1000).toISOString());
    assert.equal(closed?.money_mismatch, null);
  });

  it('flags a dispute for more than the charge or in another currency; a partial dispute is fine', () => {
    const [created] = events();
    const owned = withOwner(fresh(), OURS, NOW);
    assert.equal(disputeMoneyMismatch(apply(owned, { ...created!, amount: 1000 })), undefined);
    assert.match(
      disputeMoneyMismatch(apply(owned, { ...created!, amount: 3001 })) ?? '',
      /disputes 30\.01 USD; the charge was 30\.00 USD/,
    );
    assert.match(disputeMoneyMismatch(apply(owned, { ...created!, currency: 'eur' })) ?? '', /EUR/);
    assert.match(toDisputeRecord(apply(owned, { ...created!, amount: 9999 })).money_mismatch ?? '', /99\.99/);
  });

  describe('evidence warning and the end', () => {
    const timing = { evidence_warning_seconds: 3600, linger_after_close_seconds: 600 };
    const [created, , underReview] = events();
    const open = withOwner(apply(fresh(), created!), OURS, NOW);
    const dueMs = created!.evidence_due_by! * 1000;

    it('waits until the warning time, then warns once per due time while evidence is asked for', () => {
      const announced = markAnnounced(open, 'opened');
      assert.deepEqual(nextStep(announced, dueMs - 7200_000, timing), {
        kind: 'wait',
        until: dueMs - 3600_000,
      });
      assert.deepEqual(nextStep(announced, dueMs - 3600_000, timing), { kind: 'warn_evidence_due' });
      assert.deepEqual(nextStep(markWarned(announced), dueMs - 3600_000, timing), {
        kind: 'wait',
        until: undefined,
      });
    });

    it('warns again when Stripe moves the due time', () => {
      const warned = markWarned(markAnnounced(open, 'opened'));
      const later = apply(warned, {
        ...created!,
        stripe_event_id: 'evt_moved',
        created: created!.created + 1,
        evidence_due_by: created!.evidence_due_by! + 86_400,
      });
      assert.equal(nextStep(later, dueMs + 86_400_000, timing).kind, 'warn_evidence_due');
    });

    it('gives no warning once the evidence is submitted (under review)', () => {
      const reviewed = announceAll(apply(open, underReview!), []);
      assert.deepEqual(nextStep(reviewed, dueMs, timing), { kind: 'wait', until: undefined });
    });

    it('lingers after closing for late events, then ends', () => {
      let state = open;
      for (const e of events({ ...WON_WITH_EVIDENCE, reinstatement: 'on_close' })) state = apply(state, e);
      state = announceAll(state, []);
      assert.deepEqual(nextStep(state, NOW, timing), { kind: 'wait', until: NOW + 600_000 });
      assert.deepEqual(nextStep(state, NOW + 600_000, timing), { kind: 'end' });
    });
  });

  describe('properties over generated dispute lifecycles', () => {
    const lifecycleAndDelivery = disputePathArbitrary.chain((path) => {
      const lifecycle = lifecycleOf(path, { disputeId: 'dp_p', paymentIntentId: 'pi_p' });
      return fc.tuple(
        fc.constant(lifecycle),
        deliveryArbitrary(lifecycle.events.length),
        // When the PaymentIntent lookup answers: before the first delivery, between two, or after all.
        fc.nat({ max: lifecycle.events.length * 3 }),
      );
    });

    it('announces each change that matters exactly once, in lifecycle order, however Stripe delivers', () => {
      fc.assert(
        fc.property(lifecycleAndDelivery, ([lifecycle, delivery, ownerAt]) => {
          let state = initialDisputeState({ ...input, dispute_id: 'dp_p', payment_intent_id: 'pi_p' }, NOW);
          const heard: DisputeChange[] = [];
          delivery.forEach((index, i) => {
            if (i === ownerAt) state = withOwner(state, OURS, NOW);
            state = apply(state, lifecycle.events[index]!);
            state = announceAll(state, heard);
          });
          if (state.owner.kind === 'unknown') state = announceAll(withOwner(state, OURS, NOW), heard);

          assert.deepEqual([...heard].sort(), [...expectedChanges(lifecycle)].sort(), 'each change, once');
          for (let i = 1; i < heard.length; i++) {
            assert.ok(
              DISPUTE_CHANGE_RANK[heard[i - 1]!] <= DISPUTE_CHANGE_RANK[heard[i]!],
              `lifecycle order: ${heard.join(' → ')}`,
            );
          }
          const last = lifecycle.events.at(-1)!;
          assert.equal(state.status, last.status, "the picture ends as Stripe's last word");
        }),
        { numRuns: 500 },
      );
    });

    it('never announces a change twice, nor one that has not happened, whatever events arrive', () => {
      const anyEvent = fc.record({
        id: fc.nat({ max: 15 }),
        created: fc.integer({ min: 1, max: 20 }),
        status: fc.constantFrom(
          'warning_needs_response',
          'warning_under_review',
          'warning_closed',
          'needs_response',
          'under_review',
          'won',
          'lost',
          'appeal_needs_response',
          'something_new',
        ),
        withdrawn: fc.boolean(),
        reinstated: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(anyEvent, { maxLength: 30 }), (arbitrary) => {
          let state = withOwner(fresh(), OURS, NOW);
          const heard: DisputeChange[] = [];
          for (const e of arbitrary) {
            state = apply(state, {
              ...events()[0]!,
              stripe_event_id: `evt_${e.id}`,
              created: e.created,
              status: e.status,
              funds_withdrawn: e.withdrawn,
              funds_reinstated: e.reinstated,
            });
            state = announceAll(state, heard);
            assert.equal(new Set(heard).size, heard.length, `twice: ${heard.join(', ')}`);
          }
          if (heard.includes('funds_reinstated'))
            assert.ok(heard.indexOf('funds_withdrawn') < heard.indexOf('funds_reinstated'));
          if (heard.length > 0) assert.equal(heard[0], 'opened');
        }),
        { numRuns: 500 },
      );
    });
  });
});
