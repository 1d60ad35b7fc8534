/** Command-line flags of `npm run bench` and their defaults (full run, or the ~13 s `--smoke`). */

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
  /**
   * With N > 0, each step is followed by one at the same rate whose POSTs carry `Prefer: wait=N`
   * (the early answer, 201 with the client_secret), reported beside it; 0 = off.
   */
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

/** About 13 seconds of measurement (a 3 s step, plain and with Prefer): enough to prove every part still works end to end. */
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

export const USAGE = `usage: npm run bench -- [flags]

  --smoke                  ~13 s of measurement; exit 1 if a charge does not complete or any error occurs
  --rates 10,25,50         offered charges/s of the full path, one step each (default ${FULL.rates.join(',')})
  --step-seconds N         seconds per step (default ${FULL.stepSeconds})
  --warmup-seconds N       unmeasured load at the first rate before the steps (default ${FULL.warmupSeconds})
  --drain-seconds N        wait after a step's last send for its charges to finish (default ${FULL.drainSeconds})
  --slo-ms N               a step passes if every charge completed within N ms (default ${FULL.sloMs})
  --ceiling-seconds N      measured seconds per ceiling sample (default ${FULL.ceilingSeconds})
  --ceiling-samples N      samples per ceiling, interleaved; the median is reported (default ${FULL.ceilingSamples})
  --ceiling-warmup-seconds N  unmeasured seconds before each ceiling (default ${FULL.ceilingWarmupSeconds})
  --concurrency N          closed-loop callers for the ceilings (default ${FULL.ceilingConcurrency})
  --dup-rate N             repeated POST /charge per second (default ${FULL.dupRate})
  --dup-seconds N          seconds of repeated POSTs (default ${FULL.dupSeconds})
  --dup-load-rate N        new charges/s driven meanwhile, 0 = repeats alone (default ${FULL.dupLoadRate})
  --pi-lookup proxy|poll   how the bench learns the PaymentIntent id before sending the webhook:
                           proxy = a recording proxy in front of stripe-mock (default),
                           poll = GET /charges/:event_id until payment_intent_id is set
  --prefer-wait N          after each step, the same rate with \`Prefer: wait=N\` on every POST (the early
                           answer: 201 with the client_secret), reported beside it; 0 = off
                           (default ${FULL.preferWait}; --smoke: ${SMOKE.preferWait ?? 0})
  --no-build               skip \`npm run build\` (dist/ must be current)
  --keep-going             run the higher steps after one fails
  --log-level L            LOG_LEVEL of the service processes (default ${FULL.logLevel})
  --out FILE               results JSON (default ${FULL.out})
`;

export class UsageError extends Error {}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} needs a positive number`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  const options: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = argv.includes('--smoke')
    ? { ...FULL, ...SMOKE }
    : { ...FULL };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      return value;
    };
    switch (flag) {
      case '--smoke':
        break;
      case '--help':
      case '-h':
        return 'help';
      case '--rates':
        options.rates = next()
          .split(',')
          .map((r) => positive('--rates', r));
        break;
      case '--step-seconds':
        options.stepSeconds = positive(flag, next());
        break;
      case '--warmup-seconds':
        options.warmupSeconds = Number(next());
        if (!(options.warmupSeconds >= 0)) throw new UsageError(`${flag} needs a number >= 0`);
        break;
      case '--drain-seconds':
        options.drainSeconds = positive(flag, next());
        break;
      case '--slo-ms':
        options.sloMs = positive(flag, next());
        break;
      case '--ceiling-seconds':
        options.ceilingSeconds = positive(flag, next());
        break;
      case '--ceiling-samples':
        options.ceilingSamples = Math.max(1, Math.round(positive(flag, next())));
        break;
      case '--ceiling-warmup-seconds':
        options.ceilingWarmupSeconds = Number(next());
        if (!(options.ceilingWarmupSeconds >= 0)) throw new UsageError(`${flag} needs a number >= 0`);
        break;
      case '--concurrency':
        options.ceilingConcurrency = Math.round(positive(flag, next()));
        break;
      case '--dup-rate':
        options.dupRate = positive(flag, next());
        break;
      case '--dup-seconds':
        options.dupSeconds = positive(flag, next());
        break;
      case '--dup-load-rate':
        options.dupLoadRate = Number(next());
        if (!(options.dupLoadRate >= 0)) throw new UsageError(`${flag} needs a number >= 0`);
        break;
      case '--pi-lookup': {
        const value = next();
        if (value !== 'proxy' && value !== 'poll') throw new UsageError('--pi-lookup is proxy or poll');
        options.piLookup = value;
        break;
      }
      case '--prefer-wait': {
        const value = Number(next());
        if (!Number.isInteger(value) || value < 0 || value > 10)
          throw new UsageError('--prefer-wait needs whole seconds from 0 (off) to 10');
        options.preferWait = value;
        break;
      }
      case '--no-build':
        options.build = false;
        break;
      case '--keep-going':
        options.keepGoing = true;
        break;
      case '--log-level':
        options.logLevel = next();
        break;
      case '--out':
        options.out = next();
        break;
      default:
        throw new UsageError(`unknown flag ${flag}`);
    }
  }
  return options;
}
