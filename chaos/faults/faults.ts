/**
 * The faults of a chaos run, one after another while charges are in flight: the worker process
 * SIGKILLed and restarted, the Kafka broker stopped and started (its log kept), the Temporal dev
 * server stopped and started (its SQLite file kept). Each fires when a share of the charges has been
 * released; a part a fault stopped is started again even if the run is interrupted.
 */
import { startStackParts, stopStackParts, type StackPart } from '../../test/support/stack';
import { sleep } from '../../test/support/wait';
import type { Deployment } from '../common/deployment';
import { whenReleased, type LoadProgress } from '../common/load';

export type FaultKind = 'worker-kill' | 'kafka-restart' | 'temporal-restart';

export interface ScheduledFault {
  readonly kind: FaultKind;
  /** Share of the charges released before it fires. */
  readonly at: number;
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly at: number;
  readonly startedAt: string;
  /** Charges released but not finished when the fault fired. */
  readonly chargesInFlight: number;
  /** For a worker kill: PaymentIntent creates the worker had in flight at Stripe when it died. */
  readonly stripeCallsInFlight?: number;
  /** Charges released while the fault lasted. */
  readonly releasedDuring: number;
  /** How long the fault lasted (stop begun → start answered; kill → new worker polling). */
  readonly downSeconds: number;
}

/** Interleaves the faults and spreads them evenly between 10 % and 80 % of the load. */
export function faultSchedule(counts: Readonly<Record<FaultKind, number>>): ScheduledFault[] {
  const queues: FaultKind[][] = [
    Array<FaultKind>(counts['worker-kill']).fill('worker-kill'),
    Array<FaultKind>(counts['kafka-restart']).fill('kafka-restart'),
    Array<FaultKind>(counts['temporal-restart']).fill('temporal-restart'),
  ];
  const order: FaultKind[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) order.push(q.shift()!);
  return order.map((kind, i) => ({
    kind,
    at: order.length === 1 ? 0.3 : 0.1 + (0.7 * i) / (order.length - 1),
  }));
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  private readonly finished: Deferred[];
  /** Stack parts a fault has stopped and not yet started again. */
  private readonly down = new Set<StackPart>();

  constructor(
    private readonly deployment: Deployment,
    private readonly progress: LoadProgress,
    /** How long a stopped part stays down before it is started again. */
    private readonly outageMs: number,
    private readonly log: (line: string) => void,
    private readonly schedule: readonly ScheduledFault[],
    /** Stripe calls in flight: a kill waits (a little) for one, to land mid-activity. */
    private readonly stripeCallsInFlight: () => Promise<number> = () => Promise.resolve(0),
  ) {
    this.finished = schedule.map(() => deferred());
  }

  /**
   * For the load: the charge whose release fires a fault waits until the previous fault is over,
   * and the last charge until every fault is, so faults never pile up after the load: each one hits
   * charges in flight, and charges keep arriving while a part is down.
   */
  gate(index: number): Promise<void> | undefined {
    const { total } = this.progress;
    if (index === total - 1) return Promise.all(this.finished.map((d) => d.promise)).then(() => undefined);
    const k = this.schedule.findIndex((f) => Math.ceil(total * f.at) - 1 === index);
    return k > 0 ? this.finished[k - 1]?.promise : undefined;
  }

  async run(): Promise<void> {
    for (const [k, fault] of this.schedule.entries()) {
      await whenReleased(this.progress, fault.at);
      let stripeCalls: number | undefined;
      if (fault.kind === 'worker-kill') {
        const until = Date.now() + 5_000;
        stripeCalls = await this.stripeCallsInFlight();
        while (stripeCalls === 0 && Date.now() < until) {
          await sleep(5);
          stripeCalls = await this.stripeCallsInFlight();
        }
      }
      const inFlight = this.progress.released - this.progress.finished;
      const releasedBefore = this.progress.released;
      const begun = Date.now();
      this.log(
        `fault: ${fault.kind} at ${Math.round(fault.at * 100)} % (${inFlight} charges in flight` +
          `${stripeCalls === undefined ? '' : `, ${stripeCalls} Stripe creates in flight`})`,
      );
      if (fault.kind === 'worker-kill') await this.deployment.crashWorker();
      else await this.outage(fault.kind === 'kafka-restart' ? 'kafka' : 'temporal');
      const downSeconds = Math.round((Date.now() - begun) / 100) / 10;
      const releasedDuring = this.progress.released - releasedBefore;
      this.log(
        `fault: ${fault.kind} over after ${downSeconds} s (${releasedDuring} charges released meanwhile)`,
      );
      this.records.push({
        kind: fault.kind,
        at: fault.at,
        startedAt: new Date(begun).toISOString(),
        chargesInFlight: inFlight,
        ...(stripeCalls === undefined ? {} : { stripeCallsInFlight: stripeCalls }),
        releasedDuring,
        downSeconds,
      });
      this.finished[k]?.resolve();
    }
  }

  /** Starts again whatever a fault left stopped (an interrupted run must not leave the stack half down). */
  async restore(): Promise<void> {
    const parts = [...this.down];
    await startStackParts(parts);
    for (const part of parts) this.down.delete(part);
  }

  private async outage(part: StackPart): Promise<void> {
    this.down.add(part);
    await stopStackParts([part]);
    await sleep(this.outageMs);
    await startStackParts([part]);
    this.down.delete(part);
  }
}
