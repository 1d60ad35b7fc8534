/**
 * Runs the stand-in until SIGTERM or SIGINT (the local stack starts it: scripts/stack/up.sh).
 * A local test tool: it stands in for Stripe's test mode and never moves money.
 */
import { FlagError, parseFlags, USAGE } from './config';
import { startStandin } from './server';

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const standin = await startStandin({
    host: flags.host,
    port: flags.port,
    upstream: flags.upstream,
    stateFile: flags.stateFile,
    settings: { rate_limit_per_second: flags.rateLimit },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${new Date().toISOString()} ${signal}: stopping\n`);
    standin.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`stripe-standin: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
