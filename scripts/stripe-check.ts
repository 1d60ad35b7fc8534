/**
 * npm run stripe:check [-- --real-stripe] [--online] [--allow-live]
 *
 * Checks the Stripe configuration the service would start with (the environment, then
 * scripts/dev.env and .stack/stack.env, as `npm run dev` sees them): the key's mode, the webhook
 * secrets' format, the pinned API version, and with --online whether the target accepts the key.
 * --real-stripe checks it for Stripe's own API (STRIPE_API_BASE ignored), the way
 * `npm run dev -- --real-stripe` runs. Exits 1 when something must be fixed first.
 */
import { ConfigError, loadConfig } from '../src/config';
import { createStripeClient } from '../src/stripe/client';
import { checkStripeOnline, checkStripeSetup, type SetupFinding } from '../src/stripe/setup-check';
import path from 'node:path';
import { devEnv } from './dev-env';
import { readEnvFile } from './env-file';

const FLAGS = ['--real-stripe', '--online', '--allow-live'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !FLAGS.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown argument: ${unknown.join(' ')}\nusage: npm run stripe:check [-- ${FLAGS.join(' ')}]\n`,
    );
    process.exit(2);
  }
  const env = { ...devEnv() };
  if (args.includes('--real-stripe')) delete env['STRIPE_API_BASE'];
  let config;
  try {
    config = loadConfig({ ...env, PAYMENTS_MODE: env['PAYMENTS_MODE'] ?? 'all' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(`${err.message}\n`);
    process.exit(1);
  }
  const findings: SetupFinding[] = checkStripeSetup(config.stripe, {
    localPlaceholderKey: readEnvFile(path.join(__dirname, 'dev.env'))['STRIPE_KEY'],
    allowLive: args.includes('--allow-live'),
  });
  if (args.includes('--online')) {
    findings.push(...(await checkStripeOnline(createStripeClient(config), config.stripe.key)));
  }
  for (const finding of findings) {
    process.stdout.write(`${finding.ok ? (finding.warning ? 'warn' : ' ok ') : 'FAIL'}  ${finding.what}\n`);
  }
  const failed = findings.filter((f) => !f.ok && !f.warning);
  process.stdout.write(
    failed.length === 0 ? 'stripe:check: ready\n' : `stripe:check: ${failed.length} to fix first\n`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`stripe:check: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
