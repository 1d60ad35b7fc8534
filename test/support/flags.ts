/**
 * The command-line flags of the tools (`npm run bench`, `npm run chaos`, ...): `--name value`,
 * `--name=value` and `--flag`, described once in a spec that gives each flag its default, its
 * description and, where the default's type is not enough, its own parse. The usage is made from
 * the same spec.
 */

/** A bad command line: the tool prints the message and its usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagValue = number | string | boolean | readonly number[];

export interface Flag<V extends FlagValue> {
  readonly default: V;
  /** One or more lines; the usage appends the default to the last. */
  readonly description: string;
  /** What the usage shows after the flag's name, e.g. `N`, `FILE`, `proxy|poll`. */
  readonly value?: string;
  /**
   * The flag's value from its text; throws UsageError when it is not one. Without it: a number
   * (>= 0, `_` allowed as a separator), a comma-separated list of them, `true`/`false`, or the text.
   */
  readonly parse?: (raw: string, flag: string) => V;
}

export type FlagSpec<T extends Record<string, FlagValue>> = { readonly [K in keyof T]: Flag<T[K]> };

function nonNegative(flag: string, raw: string): number {
  const n = Number(raw.replace(/_/g, ''));
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} must be a non-negative number`);
  return n;
}

function byDefault(flag: string, def: FlagValue, raw: string): FlagValue {
  if (typeof def === 'number') return nonNegative(flag, raw);
  if (typeof def === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`${flag} must be true or false`);
    return raw === 'true';
  }
  if (typeof def === 'string') return raw;
  return raw.split(',').map((part) => nonNegative(flag, part));
}

/** Parsers for flags whose default's type is not enough. */
export const flagParsers = {
  positive: (raw: string, flag: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number`);
    return n;
  },
  atLeastZero: (raw: string, flag: string): number => {
    const n = Number(raw);
    if (!(n >= 0)) throw new UsageError(`${flag} needs a number >= 0`);
    return n;
  },
  positiveList: (raw: string, flag: string): number[] =>
    raw.split(',').map((part) => flagParsers.positive(part, flag)),
  oneOf:
    <V extends string>(...values: readonly V[]) =>
    (raw: string, flag: string): V => {
      if (!(values as readonly string[]).includes(raw))
        throw new UsageError(`${flag} is ${values.join(' or ')}`);
      return raw as V;
    },
};

function shownDefault(def: FlagValue): string {
  if (typeof def === 'string') return def === '' ? 'none' : def;
  if (typeof def === 'number' || typeof def === 'boolean') return String(def);
  return def.length === 0 ? 'none' : def.join(',');
}

export function usageOf<T extends Record<string, FlagValue>>(title: string, spec: FlagSpec<T>): string {
  const flags = Object.entries(spec) as Array<[string, Flag<FlagValue>]>;
  const heads = flags.map(([name, flag]) =>
    typeof flag.default === 'boolean' ? `--${name}` : `--${name} ${flag.value ?? 'N'}`,
  );
  const width = Math.max(24, ...heads.map((head) => head.length));
  const lines = flags.map(([, flag], i) => {
    const text = flag.description.split('\n');
    // A switch that is off unless given says what it does; its default says nothing.
    if (flag.default !== false) text[text.length - 1] += ` (default ${shownDefault(flag.default)})`;
    return `  ${(heads[i] ?? '').padEnd(width)}  ${text.join(`\n${' '.repeat(width + 4)}`)}`;
  });
  return `${title}\n\n${lines.join('\n')}\n`;
}

/** The flags' values (defaults for those not given), or 'help' for `--help` / `-h`. */
export function parseFlags<T extends Record<string, FlagValue>>(
  argv: readonly string[],
  spec: FlagSpec<T>,
): T | 'help' {
  const flags = spec as Record<string, Flag<FlagValue>>;
  const values: Record<string, FlagValue> = Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [name, flag.default]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument: ${arg}`);
    const name = match[1] ?? '';
    const flag = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (flag === undefined) throw new UsageError(`unknown flag: --${name}`);
    if (typeof flag.default === 'boolean' && match[2] === undefined) {
      values[name] = true;
      continue;
    }
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    values[name] = flag.parse ? flag.parse(raw, `--${name}`) : byDefault(`--${name}`, flag.default, raw);
  }
  return values as T;
}

/**
 * For a script's own command line: the flags, or, for `--help`, the usage on stdout and exit 0,
 * for a bad flag, the problem and the usage on stderr and exit 2.
 */
export function cliFlags<T extends Record<string, FlagValue>>(
  argv: readonly string[],
  title: string,
  spec: FlagSpec<T>,
): T {
  let parsed: T | 'help';
  try {
    parsed = parseFlags(argv, spec);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usageOf(title, spec)}`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(usageOf(title, spec));
    process.exit(0);
  }
  return parsed;
}
