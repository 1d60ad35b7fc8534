import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { eventIdOfWorkflowId } from '../contracts/workflow-ids';
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
 * This is the one place event_id is put on the worker's lines: every workflow and activity line
 * carries its workflow id (`charge-<event_id>` or `refunds-<event_id>`), so one grep follows a
 * charge from the gateway through the worker. The interceptors add order_id and refund_id.
 */
export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const workflowId: unknown = meta?.['workflowId'];
    const eventId = typeof workflowId === 'string' ? eventIdOfWorkflowId(workflowId) : undefined;
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
