/**
 * Command-line flags of `npm run bench` and their defaults (full run, or the short `--smoke`, which
 * also runs a tiny flash sale; `--flash-sale` runs only the flash sale).
 */
import {
  flagParsers,
  parseFlags,
  usageOf,
  UsageError,
  type FlagSpec,
  type FlagValue,
} from '../test/support/flags';

export type PiLookup = 'proxy' | 'poll';

/** A flash sale: more charges a second than Stripe takes, through the durable and the direct path. */
export interface FlashSaleOptions {
  readonly charges: number;
  /** Arrivals per second (open model). */
  readonly ratePerS: number;
  /** Stripe's limit, emulated by the bench's Stripe stand-in: requests per any 1 s window. */
  readonly stripeLimitPerS: number;
  /** STRIPE_MAX_REQUESTS_PER_SECOND of the sale's worker; null: not set (the service's default). */
  readonly workerStripeRatePerS: number | null;
  /** GATEWAY_MAX_READS_PER_SECOND of the sale's gateway; null: not set (the service's default). */
  readonly gatewayReadsPerS: number | null;
  /** How long after the last arrival the sale may take to finish before the rest count as lost. */
  readonly drainSeconds: number;
  /**
   * With a storefront: each charge's GET /charges/:event_id polled at this interval (ms) until its
   * client_secret shows or it ends; null: no storefront.
   */
  readonly pollStorefrontMs: number | null;
  readonly out: string;
}

/** The full charge path at one rate, tracing off and on, alternated (--tracing). */
export interface TracingOptions {
  readonly ratePerS: number;
  readonly seconds: number;
  /** Off/on pairs, each pair in the other order than the last, so a drift hits both alike. */
  readonly rounds: number;
  readonly out: string;
}

export interface BenchOptions {
  readonly smoke: boolean;
  /** The tracing comparison, when this run is one (--tracing): then neither steps nor flash sale. */
  readonly tracing: TracingOptions | null;
  /** The stepped run (full path steps, ceilings, duplicates); false with --flash-sale. */
  readonly steps: boolean;
  /** The flash sale, when this run has one (--flash-sale, or its short form in --smoke). */
  readonly flashSale: FlashSaleOptions | null;
  /**
   * Offered arrival rates of the full charge path, charges/s, in order; empty: placed at
   * `rateFractions` of the no-op-workflow ceiling measured first.
   */
  readonly rates: readonly number[];
  readonly rateFractions: readonly number[];
  /** Steps added after the placed ones, bisecting between the highest pass and the lowest failure. */
  readonly searchSteps: number;
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
  /** The latency-vs-arrival-rate chart (SVG) of the stepped run. */
  readonly chart: string;
}

interface Defaults extends Omit<BenchOptions, 'steps' | 'flashSale' | 'tracing'> {
  readonly flash: FlashSaleOptions;
  readonly tracingRun: TracingOptions;
}

const FULL: Defaults = {
  smoke: false,
  rates: [],
  rateFractions: [0.3, 0.45, 0.6, 0.75, 0.9],
  searchSteps: 2,
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
  chart: 'bench/results/latency-vs-rate.svg',
  flash: {
    charges: 3000,
    ratePerS: 40,
    stripeLimitPerS: 25,
    workerStripeRatePerS: null,
    gatewayReadsPerS: null,
    drainSeconds: 600,
    pollStorefrontMs: null,
    out: 'bench/results/flash-sale.json',
  },
  tracingRun: { ratePerS: 10, seconds: 20, rounds: 3, out: 'bench/results/tracing.json' },
};

/** About ten seconds of measurement: enough to prove every part still works end to end. */
const SMOKE: Partial<Defaults> = {
  smoke: true,
  rateFractions: [0.1],
  searchSteps: 0,
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
  chart: 'bench/results/smoke-latency-vs-rate.svg',
  // 4/5 of the limit, as the service's default is 20 against Stripe's 25.
  flash: {
    charges: 20,
    ratePerS: 20,
    stripeLimitPerS: 10,
    workerStripeRatePerS: 8,
    gatewayReadsPerS: null,
    // A healthy run drains in about 2 s; the margin is for a machine busy with something else, where
    // a smoke must still prove the harness works, not measure.
    drainSeconds: 60,
    // The smoke covers the storefront too, so the polling path cannot rot.
    pollStorefrontMs: 500,
    out: 'bench/results/smoke-flash-sale.json',
  },
  tracingRun: { ratePerS: 5, seconds: 3, rounds: 1, out: 'bench/results/smoke-tracing.json' },
};

/** The flags by their names on the command line; BenchOptions is what the run reads. */
interface BenchFlags extends Record<string, FlagValue> {
  smoke: boolean;
  'flash-sale': boolean;
  rates: readonly number[];
  'rate-fractions': readonly number[];
  'search-steps': number;
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
  chart: string;
  'flash-charges': number;
  'flash-rate': number;
  'stripe-limit': number;
  'flash-stripe-rate': number;
  'flash-gateway-reads': number;
  'flash-drain-seconds': number;
  'poll-storefront': boolean;
  'poll-interval-ms': number;
  'flash-out': string;
  tracing: boolean;
  'tracing-rate': number;
  'tracing-rounds': number;
}

const { positive, atLeastZero, positiveList, oneOf } = flagParsers;

const wholeNumber = (raw: string, flag: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} needs a whole number >= 0`);
  return n;
};

function flagSpec(d: Defaults): FlagSpec<BenchFlags> {
  return {
    smoke: {
      default: false,
      description:
        '~13 s of measurement and a tiny flash sale; exit 1 if a charge does not complete or any error occurs',
    },
    'flash-sale': {
      default: false,
      description:
        'run only the flash sale (durable and direct path against an emulated Stripe limit);\n' +
        'with --smoke, only its short form',
    },
    rates: {
      default: d.rates,
      value: '10,25,50',
      description:
        'offered charges/s of the full path, one step each, in this order;\n' +
        'none: placed at --rate-fractions of the no-op-workflow ceiling measured first',
      parse: positiveList,
    },
    'rate-fractions': {
      default: d.rateFractions,
      value: '0.3,0.6',
      description: 'where the steps go without --rates: fractions of the no-op-workflow ceiling',
      parse: positiveList,
    },
    'search-steps': {
      default: d.searchSteps,
      description:
        'steps added after the others, each halfway between the highest rate that passed and\n' +
        'the lowest that failed (0 with --rates unless given)',
      parse: wholeNumber,
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
        'proxy = the Stripe stand-in in front of stripe-mock tells it (its payment_intent.created webhook),\n' +
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
    chart: {
      default: d.chart,
      value: 'FILE',
      description: 'latency-vs-arrival-rate chart (SVG) of the steps',
    },
    'flash-charges': {
      default: d.flash.charges,
      description: 'flash sale: charges per path',
      parse: (raw, flag) => Math.round(positive(raw, flag)),
    },
    'flash-rate': {
      default: d.flash.ratePerS,
      description: 'flash sale: arrivals per second',
      parse: positive,
    },
    'stripe-limit': {
      default: d.flash.stripeLimitPerS,
      description:
        "flash sale: Stripe's limit the bench's Stripe stand-in emulates, requests in any 1 s window",
      parse: (raw, flag) => Math.round(positive(raw, flag)),
    },
    'flash-stripe-rate': {
      default: d.flash.workerStripeRatePerS ?? 0,
      description:
        "flash sale: the worker's STRIPE_MAX_REQUESTS_PER_SECOND; 0 = not set, the service's\n" +
        'default (20 with the test key the bench uses)',
      parse: wholeNumber,
    },
    'flash-gateway-reads': {
      default: d.flash.gatewayReadsPerS ?? 0,
      description:
        "flash sale: the gateway's GATEWAY_MAX_READS_PER_SECOND (charge reads it answers a second;\n" +
        "above, 503 busy); 0 = not set, the service's default",
      parse: wholeNumber,
    },
    'flash-drain-seconds': {
      default: d.flash.drainSeconds,
      description: 'flash sale: time after the last arrival to finish; unfinished charges then count as lost',
      parse: positive,
    },
    'poll-storefront': {
      default: d.flash.pollStorefrontMs !== null,
      description:
        'flash sale: a storefront polls GET /charges/:event_id for each durable charge until it\n' +
        "shows its client_secret or ends; reports the gateway's Stripe requests (on in --smoke)",
    },
    'poll-interval-ms': {
      default: d.flash.pollStorefrontMs ?? 1000,
      description: "flash sale: the storefront's time between two GETs of one charge",
      parse: positive,
    },
    'flash-out': {
      default: d.flash.out,
      value: 'FILE',
      description: 'flash sale results JSON; its chart goes next to it (.svg)',
    },
    tracing: {
      default: false,
      description:
        'run only the tracing comparison: the full path at --tracing-rate, tracing off and on\n' +
        '(spans exported over OTLP to a receiver in the bench), --step-seconds each, alternated;\n' +
        'prints the on/off ratios and writes bench/results/tracing.json',
    },
    'tracing-rate': {
      default: d.tracingRun.ratePerS,
      description: 'tracing comparison: charges/s',
      parse: positive,
    },
    'tracing-rounds': {
      default: d.tracingRun.rounds,
      description: 'tracing comparison: off/on pairs',
      parse: (raw, flag) => Math.max(1, Math.round(positive(raw, flag))),
    },
  };
}

export const USAGE = usageOf('usage: npm run bench -- [flags]', flagSpec(FULL));

export { UsageError };

/** The run's options, or 'help'; throws UsageError on a bad command line. */
export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  // --smoke changes the defaults of the other flags, wherever it stands.
  const smoke = argv.some((arg) => arg === '--smoke' || arg === '--smoke=true');
  const given = (name: string) => argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const defaults = smoke ? { ...FULL, ...SMOKE } : FULL;
  const flags = parseFlags(argv, flagSpec(defaults));
  if (flags === 'help') return 'help';
  const flashOnly = flags['flash-sale'];
  const tracingOnly = flags.tracing;
  if (flashOnly && tracingOnly)
    throw new UsageError('--flash-sale and --tracing are separate runs: give one');
  const flash: FlashSaleOptions = {
    charges: flags['flash-charges'],
    ratePerS: flags['flash-rate'],
    stripeLimitPerS: flags['stripe-limit'],
    workerStripeRatePerS: flags['flash-stripe-rate'] === 0 ? null : flags['flash-stripe-rate'],
    gatewayReadsPerS: flags['flash-gateway-reads'] === 0 ? null : flags['flash-gateway-reads'],
    drainSeconds: flags['flash-drain-seconds'],
    pollStorefrontMs: flags['poll-storefront'] ? flags['poll-interval-ms'] : null,
    out: flags['flash-out'],
  };
  return {
    smoke,
    steps: !flashOnly && !tracingOnly,
    flashSale: (smoke && !tracingOnly) || flashOnly ? flash : null,
    tracing: tracingOnly
      ? {
          ratePerS: flags['tracing-rate'],
          seconds: given('step-seconds') ? flags['step-seconds'] : defaults.tracingRun.seconds,
          rounds: flags['tracing-rounds'],
          out: defaults.tracingRun.out,
        }
      : null,
    rates: flags.rates,
    rateFractions: flags['rate-fractions'],
    // Explicit rates run as given (as before the steps were placed), unless a search is asked for.
    searchSteps: flags.rates.length > 0 && !given('search-steps') ? 0 : flags['search-steps'],
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
    chart: flags.chart,
  };
}
