import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

/**
 * Paths whose values must never reach a log line, wherever a careless call site puts them.
 * Secrets are also never passed to the logger on purpose; this is the second fence.
 */
export const REDACTED_PATHS = [
  'stripe.key',
  'stripeKey',
  'key',
  'apiKey',
  'secret',
  'secrets',
  'webhookSecret',
  'webhookSecrets',
  'authorization',
  'token',
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["stripe-signature"]',
  'card',
  'payment_method_data',
  '*.card',
  '*.authorization',
  '*.secret',
  // What the customer's browser needs to pay (a PaymentIntent's): for the gateway's caller only.
  'client_secret',
  '*.client_secret',
  'next_action',
  '*.next_action',
];

/** `destination` lets tests capture every line (e.g. to scan them for secrets). */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logPretty' | 'mode'>,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'payments', mode: config.mode },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    ...(config.logPretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
