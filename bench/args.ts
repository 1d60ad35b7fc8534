/** Command-line flags of `npm run bench` and their defaults (full run, or the ~13 s `--smoke`). */
import {
  flagParsers,
  parseFlags,
  usageOf,
  UsageError,
  type FlagSpec,
  type FlagValue,
} from '../test/support/flags';

export type PiLookup = 'proxy' | 'poll';

export interface BenchOptions {
  readonly smoke: boolean;
  /** Offered arrival rates of the full charge path, charges/s, in order. */
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly warmupSeconds: number;
  /** How long a step may take, after its last send, for every charge to finish. */
  readonly drainSeconds: number;
  /** A step passes when every charge completed within this, from its intended send time. */
  readonly sloMs: number;
  readonly ceilingSeconds: number;
  /** Samples per ceiling (the reported figure is their median): one sample swings ±10 %. */
  readonly ceilingSamples: number;
  readonly ceilingWarmupSeconds: number;
  readonly ceilingConcurrency: number;
  readonly dupRate: number;
  readonly dupSeconds: number;
  /** New charges/s driven while the repeats are sent (the targets are "at 25 charges/s"); 0 = alone. */
  readonly dupLoadRate: number;
  readonly piLookup: PiLookup;
  /** Wait of the early-answer step after each rate (`Prefer: wait=N`); 0 = no such step. */
  readonly preferWait: number;
  readonly build: boolean;
  /** Run the higher steps even after one failed. */
  readonly keepGoing: boolean;
  readonly logLevel: string;
  readonly out: string;
}

const FULL: BenchOptions = {
  smoke: false,
  rates: [10, 25, 50, 75, 100, 150],
  stepSeconds: 30,
  warmupSeconds: 5,
  drainSeconds: 15,
  sloMs: 5000,
  ceilingSeconds: 15,
  ceilingSamples: 3,
  ceilingWarmupSeconds: 2,
  ceilingConcurrency: 64,
  dupRate: 20,
  dupSeconds: 10,
  dupLoadRate: 25,
  piLookup: 'proxy',
  preferWait: 0,
  build: true,
  keepGoing: false,
  logLevel: 'info',
  out: 'bench/results/latest.json',
};

/** About ten seconds of measurement: enough to prove every part still works end to end. */
const SMOKE: Partial<BenchOptions> = {
  smoke: true,
  rates: [5],
  stepSeconds: 3,
  warmupSeconds: 1,
  drainSeconds: 10,
  ceilingSeconds: 1,
  ceilingSamples: 1,
  ceilingWarmupSeconds: 0.25,
  ceilingConcurrency: 16,
  dupRate: 5,
  dupSeconds: 1,
  dupLoadRate: 5,
  // The smoke run covers the early answer too, so neither path can rot.
  preferWait: 5,
};

/** The flags by their names on the command line; BenchOptions is what the run reads. */
interface BenchFlags extends Record<string, FlagValue> {
  smoke: boolean;
  rates: readonly number[];
  'step-seconds': number;
  'warmup-seconds': number;
  'drain-seconds': number;
  'slo-ms': number;
  'ceiling-seconds': number;
  'ceiling-samples': number;
  'ceiling-warmup-seconds': number;
  concurrency: number;
  'dup-rate': number;
  'dup-seconds': number;
  'dup-load-rate': number;
  'pi-lookup': PiLookup;
  'prefer-wait': number;
  'no-build': boolean;
  'keep-going': boolean;
  'log-level': string;
  out: string;
}

const { positive, atLeastZero, positiveList, oneOf } = flagParsers;

function flagSpec(d: BenchOptions): FlagSpec<BenchFlags> {
  return {
    smoke: {
      default: false,
      description: '~13 s of measurement; exit 1 if a charge does not complete or any error occurs',
    },
    rates: {
      default: d.rates,
      value: '10,25,50',
      description: 'offered charges/s of the full path, one step each',
      parse: positiveList,
    },
    'step-seconds': { default: d.stepSeconds, description: 'seconds per step', parse: positive },
    'warmup-seconds': {
      default: d.warmupSeconds,
      description: 'unmeasured load at the first rate before the steps',
      parse: atLeastZero,
    },
    'drain-seconds': {
      default: d.drainSeconds,
      description: "wait after a step's last send for its charges to finish",
      parse: positive,
    },
    'slo-ms': {
      default: d.sloMs,
      description: 'a step passes if every charge completed within N ms',
      parse: positive,
    },
    'ceiling-seconds': {
      default: d.ceilingSeconds,
      description: 'measured seconds per ceiling sample',
      parse: positive,
    },
    'ceiling-samples': {
      default: d.ceilingSamples,
      description: 'samples per ceiling, interleaved; the median is reported',
      parse: (raw, flag) => Math.max(1, Math.round(positive(raw, flag))),
    },
    'ceiling-warmup-seconds': {
      default: d.ceilingWarmupSeconds,
      description: 'unmeasured seconds before each ceiling',
      parse: atLeastZero,
    },
    concurrency: {
      default: d.ceilingConcurrency,
      description: 'closed-loop callers for the ceilings',
      parse: (raw, flag) => Math.round(positive(raw, flag)),
    },
    'dup-rate': { default: d.dupRate, description: 'repeated POST /charge per second', parse: positive },
    'dup-seconds': { default: d.dupSeconds, description: 'seconds of repeated POSTs', parse: positive },
    'dup-load-rate': {
      default: d.dupLoadRate,
      description: 'new charges/s driven meanwhile, 0 = repeats alone',
      parse: atLeastZero,
    },
    'pi-lookup': {
      default: d.piLookup,
      value: 'proxy|poll',
      description:
        'how the bench learns the PaymentIntent id before sending the webhook:\n' +
        'proxy = a recording proxy in front of stripe-mock,\n' +
        'poll = GET /charges/:event_id until payment_intent_id is set',
      parse: oneOf<PiLookup>('proxy', 'poll'),
    },
    'prefer-wait': {
      default: d.preferWait,
      value: 'N',
      description:
        'after each step, the same rate with `Prefer: wait=N` on every POST (the early answer: 201 with\n' +
        'the client_secret), reported beside it; 0 = off',
      parse: (raw, flag) => {
        const value = atLeastZero(raw, flag);
        if (!Number.isInteger(value) || value > 10) {
          throw new UsageError(`${flag} needs whole seconds from 0 (off) to 10`);
        }
        return value;
      },
    },
    'no-build': { default: !d.build, description: 'skip `npm run build` (dist/ must be current)' },
    'keep-going': { default: d.keepGoing, description: 'run the higher steps after one fails' },
    'log-level': { default: d.logLevel, value: 'L', description: 'LOG_LEVEL of the service processes' },
    out: { default: d.out, value: 'FILE', description: 'results JSON' },
  };
}

export const USAGE = usageOf('usage: npm run bench -- [flags]', flagSpec(FULL));

export { UsageError };

/** The run's options, or 'help'; throws UsageError on a bad command line. */
export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  // --smoke changes the defaults of the other flags, wherever it stands.
  const smoke = argv.some((arg) => arg === '--smoke' || arg === '--smoke=true');
  const defaults = smoke ? { ...FULL, ...SMOKE } : FULL;
  const flags = parseFlags(argv, flagSpec(defaults));
  if (flags === 'help') return 'help';
  return {
    smoke,
    rates: flags.rates,
    stepSeconds: flags['step-seconds'],
    warmupSeconds: flags['warmup-seconds'],
    drainSeconds: flags['drain-seconds'],
    sloMs: flags['slo-ms'],
    ceilingSeconds: flags['ceiling-seconds'],
    ceilingSamples: flags['ceiling-samples'],
    ceilingWarmupSeconds: flags['ceiling-warmup-seconds'],
    ceilingConcurrency: flags.concurrency,
    dupRate: flags['dup-rate'],
    dupSeconds: flags['dup-seconds'],
    dupLoadRate: flags['dup-load-rate'],
    piLookup: flags['pi-lookup'],
    preferWait: flags['prefer-wait'],
    build: !flags['no-build'],
    keepGoing: flags['keep-going'],
    logLevel: flags['log-level'],
    out: flags.out,
  };
}
