/** Where the stepped run's rates go (bench/rates.ts) and the flags that choose them (bench/args.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, type BenchOptions } from '../../bench/args';
import { nextSearchRate, placeRates } from '../../bench/rates';

function options(argv: string[]): BenchOptions {
  const parsed = parseArgs(argv);
  if (parsed === 'help') throw new Error('not a request for help');
  return parsed;
}

describe('rate placement', () => {
  it('places the steps at fractions of the ceiling, whole, ascending, without repeats', () => {
    assert.deepEqual(placeRates(22, [0.3, 0.45, 0.6, 0.75, 0.9]), [7, 10, 13, 17, 20]);
    assert.deepEqual(placeRates(70.4, [0.3, 0.45, 0.6, 0.75, 0.9]), [21, 32, 42, 53, 63]);
    assert.deepEqual(placeRates(3, [0.1, 0.2, 0.9, 0.3]), [1, 3]);
  });

  it('searches halfway between the highest pass and the lowest failure above it, until they touch', () => {
    const s = (offered_per_s: number, passed: boolean) => ({ offered_per_s, passed });
    assert.equal(nextSearchRate([s(10, true), s(25, false)]), 18);
    assert.equal(nextSearchRate([s(10, true), s(25, false), s(18, true)]), 22);
    assert.equal(nextSearchRate([s(10, false)]), 5);
    assert.equal(nextSearchRate([s(10, true), s(11, false)]), null);
    assert.equal(nextSearchRate([s(10, true), s(25, true)]), null);
    // A failure below the highest pass (noise) does not pull the search down.
    assert.equal(nextSearchRate([s(10, false), s(20, true), s(30, false)]), 25);
  });
});

describe('bench flags', () => {
  it('places the steps by default, and runs --rates as given, searching only when asked', () => {
    const placed = options([]);
    assert.deepEqual(
      [placed.rates, placed.rateFractions, placed.searchSteps],
      [[], [0.3, 0.45, 0.6, 0.75, 0.9], 2],
    );
    assert.deepEqual(
      [options(['--rates', '10,25']).rates, options(['--rates', '10,25']).searchSteps],
      [[10, 25], 0],
    );
    assert.equal(options(['--rates=10,25', '--search-steps', '3']).searchSteps, 3);
  });

  it('runs the stepped run alone by default, the flash sale alone with --flash-sale, both shrunk with --smoke', () => {
    assert.deepEqual([options([]).steps, options([]).flashSale], [true, null]);
    const flash = options(['--flash-sale']);
    assert.equal(flash.steps, false);
    assert.deepEqual(flash.flashSale, {
      charges: 3000,
      ratePerS: 40,
      stripeLimitPerS: 25,
      workerStripeRatePerS: null,
      gatewayReadsPerS: null,
      drainSeconds: 600,
      pollStorefrontMs: null,
      out: 'bench/results/flash-sale.json',
    });
    const smoke = options(['--smoke']);
    assert.equal(smoke.steps, true);
    assert.deepEqual(
      [smoke.flashSale?.charges, smoke.flashSale?.stripeLimitPerS, smoke.flashSale?.workerStripeRatePerS],
      [20, 10, 8],
    );
    assert.equal(options(['--smoke', '--flash-sale']).steps, false);
    assert.deepEqual(
      options(['--flash-sale', '--flash-charges', '300', '--flash-stripe-rate', '15']).flashSale?.charges,
      300,
    );
  });

  it('runs only the tracing comparison with --tracing (shrunk with --smoke), never beside a flash sale', () => {
    const tracing = options(['--tracing']);
    assert.deepEqual([tracing.steps, tracing.flashSale], [false, null]);
    assert.deepEqual(tracing.tracing, {
      ratePerS: 10,
      seconds: 20,
      rounds: 3,
      out: 'bench/results/tracing.json',
    });
    const smoke = options(['--smoke', '--tracing']);
    assert.deepEqual([smoke.steps, smoke.flashSale], [false, null]);
    assert.deepEqual([smoke.tracing?.ratePerS, smoke.tracing?.seconds, smoke.tracing?.rounds], [5, 3, 1]);
    assert.deepEqual(
      options(['--tracing', '--tracing-rate', '20', '--step-seconds', '30']).tracing?.seconds,
      30,
    );
    assert.equal(options([]).tracing, null);
    assert.throws(() => parseArgs(['--tracing', '--flash-sale']), /separate runs/);
  });

  it('adds a storefront polling GET /charges/:event_id with --poll-storefront (every 1 s unless told); --smoke polls every 500 ms', () => {
    assert.equal(options(['--flash-sale', '--poll-storefront']).flashSale?.pollStorefrontMs, 1000);
    assert.equal(
      options(['--flash-sale', '--poll-storefront', '--poll-interval-ms', '250']).flashSale?.pollStorefrontMs,
      250,
    );
    assert.equal(options(['--smoke']).flashSale?.pollStorefrontMs, 500);
  });
});
