/**
 * `--name value`, `--name=value` and `--flag` for the chaos scripts. Each flag's type is its
 * default's type; an unknown flag or a bad value exits 2 with the usage.
 */
type FlagValue = number | string | boolean;
type FlagSpec<T extends Record<string, FlagValue>> = {
  readonly [K in keyof T]: { readonly default: T[K]; readonly description: string };
};

export function usageOf<T extends Record<string, FlagValue>>(title: string, spec: FlagSpec<T>): string {
  const lines = Object.entries(spec).map(
    ([name, { default: def, description }]) =>
      `  --${name.padEnd(24)} ${description} (default ${typeof def === 'string' && def === '' ? 'none' : String(def)})`,
  );
  return `${title}\n\n${lines.join('\n')}\n`;
}

export function parseFlags<T extends Record<string, FlagValue>>(
  argv: readonly string[],
  title: string,
  spec: FlagSpec<T>,
): T {
  const fail = (problem: string): never => {
    process.stderr.write(`${problem}\n\n${usageOf(title, spec)}`);
    process.exit(2);
  };
  const values: Record<string, FlagValue> = Object.fromEntries(
    Object.entries(spec).map(([name, { default: def }]) => [name, def]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usageOf(title, spec));
      process.exit(0);
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) return fail(`unexpected argument: ${arg}`);
    const name = match[1] ?? '';
    if (!(name in spec)) return fail(`unknown flag: --${name}`);
    const def = values[name];
    if (typeof def === 'boolean' && match[2] === undefined) {
      values[name] = true;
      continue;
    }
    const raw = match[2] ?? argv[++i];
    if (raw === undefined) return fail(`--${name} needs a value`);
    if (typeof def === 'number') {
      const parsed = Number(raw.replace(/_/g, ''));
      if (!Number.isFinite(parsed) || parsed < 0) return fail(`--${name} must be a non-negative number`);
      values[name] = parsed;
    } else if (typeof def === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return fail(`--${name} must be true or false`);
      values[name] = raw === 'true';
    } else {
      values[name] = raw;
    }
  }
  return values as T;
}
