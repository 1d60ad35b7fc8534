/**
 * The one binary: PAYMENTS_MODE picks the roles (gateway, webhook-receiver, worker, or all).
 * Bad configuration exits 2 with one line per problem and no stack trace.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { startService } from './service';

function readConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`payments: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const logger = createLogger(config);
  const service = await startService(config, logger, createMetrics());

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`payments: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
