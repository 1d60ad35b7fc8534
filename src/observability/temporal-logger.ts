import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the SDK's logs (workflow `log`, activity `Context.log`, the core) into our JSON logger.
 * A charge's workflow id is `charge-<event_id>`, so every line about it carries `event_id` too and
 * one grep follows a charge from the gateway through the worker.
 */
export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const workflowId: unknown = meta?.['workflowId'];
    const eventId =
      typeof workflowId === 'string' && workflowId.startsWith('charge-')
        ? workflowId.slice('charge-'.length)
        : undefined;
    logger[PINO_LEVEL[level]]({ ...meta, ...(eventId !== undefined ? { event_id: eventId } : {}) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
