/**
 * The stand-in's command line, the one place its start-up options are read (the local stack passes
 * them: scripts/stack/up.sh). Everything else can change at run time through POST /_standin/config.
 */

export interface StandinFlags {
  readonly host: string;
  readonly port: number;
  /** stripe-mock's URL. */
  readonly upstream: string;
  readonly stateFile: string | undefined;
  /** Requests per second before 429; null: no limit. */
  readonly rateLimit: number | null;
}

export const USAGE = `stripe-standin: a local Stripe test-mode stand-in (a test tool, never a payment processor)

  node --import tsx tools/stripe-standin/main.ts --upstream URL [flags]

  --upstream URL        stripe-mock, which checks each request's shape (required)
  --port N              port on --host (default 12112)
  --host ADDR           bind address (default 127.0.0.1; keep it on loopback)
  --state-file FILE     keep the state across restarts in FILE (default: memory only)
  --rate-limit N|off    requests per second before 429, as Stripe's test mode (default 25)
`;

export class FlagError extends Error {}

export function parseFlags(argv: readonly string[]): StandinFlags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i] ?? '');
    if (!match) throw new FlagError(`unexpected argument: ${argv[i]}`);
    const name = match[1] ?? '';
    if (!['host', 'port', 'upstream', 'state-file', 'rate-limit'].includes(name)) {
      throw new FlagError(`unknown flag: --${name}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new FlagError(`--${name} needs a value`);
    values.set(name, value);
  }
  const upstream = values.get('upstream');
  if (upstream === undefined || !/^https?:\/\/[^/]+\/?$/.test(upstream)) {
    throw new FlagError('--upstream: stripe-mock URL required, e.g. http://127.0.0.1:12111');
  }
  const port = Number(values.get('port') ?? 12112);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError('--port: must be 0–65535');
  const rate = values.get('rate-limit') ?? '25';
  const rateLimit = rate === 'off' ? null : Number(rate);
  if (rateLimit !== null && (!Number.isInteger(rateLimit) || rateLimit < 1)) {
    throw new FlagError('--rate-limit: a whole number of requests per second, or off');
  }
  return {
    host: values.get('host') ?? '127.0.0.1',
    port,
    upstream,
    stateFile: values.get('state-file'),
    rateLimit,
  };
}
