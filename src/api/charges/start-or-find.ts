import type { ChargeWorkflows, EarlyAnswer, ExistingCharge } from '../temporal/charge-workflows';
import type { ChargeWorkflowInput } from '../../contracts/charge';
import { HttpError } from '../errors';
import type { KnownCharges } from './known-charges';

export type StartOrFind =
  | {
      readonly kind: 'started';
      readonly workflowId: string;
      readonly runId: string;
      /** With a wait: whether the PaymentIntent came within it. */
      readonly early?: EarlyAnswer;
    }
  | { readonly kind: 'existing'; readonly charge: ExistingCharge };

/**
 * Starts the charge of an event_id, or finds the one that exists. Temporal's refusal to start a second
 * workflow for the id is what makes a repeat a repeat; `known` only saves that refused start for
 * ids this gateway has seen exist. With `waitMs`, a new charge is started with an early answer
 * (update-with-start), waiting up to that long for its PaymentIntent.
 */
export async function startOrFind(
  charges: ChargeWorkflows,
  known: KnownCharges,
  input: ChargeWorkflowInput,
  waitMs?: number,
): Promise<StartOrFind> {
  const eventId = input.request.event_id;
  if (known.has(eventId)) {
    const charge = await charges.describe(eventId);
    if (charge !== undefined) return { kind: 'existing', charge };
    known.forget(eventId); // gone past retention: ask Temporal to start it, as for a new id
  }
  const started =
    waitMs === undefined ? await charges.start(input) : await charges.startWithEarlyAnswer(input, waitMs);
  if (started.kind === 'started') {
    known.remember(eventId);
    return started;
  }
  const charge = await charges.describe(eventId);
  if (charge === undefined) {
    // The id exists (the start was refused) but cannot be read back: retention raced us.
    throw new HttpError(409, 'conflict', 'event_id was already used and its charge is no longer readable');
  }
  known.remember(eventId);
  return { kind: 'existing', charge };
}
