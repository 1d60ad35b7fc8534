/** What the parts of a run (the stepped run, the flash sale) share: set up once by run.ts. */
import type { BenchOptions } from './args';
import type { CeilingTargets } from './ceilings/measure';
import type { Children } from '../test/support/children';
import type { HttpClient } from './http-client';
import type { CompletionWatcher } from './kafka-completions';
import type { MachineInfo } from './machine';
import type { ProcSampler } from './proc-sampler';
import type { BenchStripe } from './stripe-standin';
import type { Waiters } from './waiters';

export interface BenchContext {
  readonly runId: string;
  /** Every event id of the run starts with it (the Kafka watcher keeps only these). */
  readonly prefix: string;
  readonly options: BenchOptions;
  readonly startedAt: Date;
  /** Problems found on the way (they make the run NOT OK). */
  readonly problems: string[];
  readonly http: HttpClient;
  readonly sampler: ProcSampler;
  readonly children: Children;
  readonly targets: CeilingTargets;
  readonly completions: CompletionWatcher;
  /** The Stripe emulator (the stand-in in front of stripe-mock); null with --pi-lookup poll and no flash sale. */
  readonly proxy: BenchStripe | null;
  readonly paymentIntents: Waiters<string>;
  readonly machine: MachineInfo | null;
}
