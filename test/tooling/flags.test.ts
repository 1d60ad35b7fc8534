/** The one flag parser of the tools (test/support/flags.ts), as bench/ and chaos/ use it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagParsers, parseFlags, usageOf, UsageError, type FlagSpec } from '../support/flags';

interface Flags extends Record<string, number | string | boolean | readonly number[]> {
  charges: number;
  rates: readonly number[];
  out: string;
  'keep-going': boolean;
  mode: 'fast' | 'slow';
}

const SPEC: FlagSpec<Flags> = {
  charges: { default: 1000, description: 'charges to run' },
  rates: { default: [10, 25], value: '10,25', description: 'charges/s per step' },
  out: { default: '', value: 'FILE', description: 'results file' },
  'keep-going': { default: false, description: 'go on after a failure' },
  mode: {
    default: 'fast',
    value: 'fast|slow',
    description: 'speed',
    parse: flagParsers.oneOf('fast', 'slow'),
  },
};

describe('parseFlags', () => {
  it('gives the defaults for flags not given', () => {
    assert.deepEqual(parseFlags([], SPEC), {
      charges: 1000,
      rates: [10, 25],
      out: '',
      'keep-going': false,
      mode: 'fast',
    });
  });

  it('reads --name value, --name=value, switches and lists', () => {
    assert.deepEqual(
      parseFlags(
        ['--charges', '10_000', '--out=x.json', '--keep-going', '--rates', '5,7.5', '--mode', 'slow'],
        SPEC,
      ),
      { charges: 10_000, rates: [5, 7.5], out: 'x.json', 'keep-going': true, mode: 'slow' },
    );
    assert.deepEqual((parseFlags(['--keep-going=false'], SPEC) as Flags)['keep-going'], false);
  });

  it('answers --help and -h with help', () => {
    assert.equal(parseFlags(['--charges', '1', '--help'], SPEC), 'help');
    assert.equal(parseFlags(['-h'], SPEC), 'help');
  });

  it('refuses unknown flags, stray arguments, missing and bad values with a UsageError', () => {
    for (const [argv, message] of [
      [['--nope'], 'unknown flag: --nope'],
      [['--toString'], 'unexpected argument: --toString'],
      [['--constructor'], 'unknown flag: --constructor'],
      [['stray'], 'unexpected argument: stray'],
      [['--charges'], '--charges needs a value'],
      [['--charges', '-1'], '--charges must be a non-negative number'],
      [['--charges', 'many'], '--charges must be a non-negative number'],
      [['--rates', '5,x'], '--rates must be a non-negative number'],
      [['--keep-going=maybe'], '--keep-going must be true or false'],
      [['--mode', 'medium'], '--mode is fast or slow'],
    ] as const) {
      assert.throws(() => parseFlags(argv, SPEC), new UsageError(message), argv.join(' '));
    }
  });

  it('has parsers for positive numbers, numbers >= 0 and lists of positive numbers', () => {
    assert.equal(flagParsers.positive('2.5', '--x'), 2.5);
    assert.throws(() => flagParsers.positive('0', '--x'), /--x needs a positive number/);
    assert.equal(flagParsers.atLeastZero('0', '--x'), 0);
    assert.throws(() => flagParsers.atLeastZero('-1', '--x'), /--x needs a number >= 0/);
    assert.deepEqual(flagParsers.positiveList('1,2', '--x'), [1, 2]);
    assert.throws(() => flagParsers.positiveList('1,0', '--x'), /--x needs a positive number/);
  });
});

describe('usageOf', () => {
  it('lists every flag with its value, its description and its default (none for a switch)', () => {
    const usage = usageOf('usage: tool [flags]', SPEC);
    assert.match(usage, /^usage: tool \[flags\]\n\n/);
    assert.match(usage, /\n {2}--charges N +charges to run \(default 1000\)\n/);
    assert.match(usage, /\n {2}--rates 10,25 +charges\/s per step \(default 10,25\)\n/);
    assert.match(usage, /\n {2}--out FILE +results file \(default none\)\n/);
    assert.match(usage, /\n {2}--keep-going +go on after a failure\n/);
  });
});
