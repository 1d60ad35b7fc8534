/**
 * Connection details of the real local stack, written by `npm run stack:up` to .stack/stack.env and
 * exported by `npm test`. A test that needs the stack fails loudly when run outside `npm test`.
 */
import path from 'node:path';
import { readEnvFile } from '../../scripts/env-file';
import { REPO_ROOT } from './repo';

function fromStackFile(): Record<string, string> {
  return readEnvFile(path.join(process.env['STACK_DIR'] ?? path.join(REPO_ROOT, '.stack'), 'stack.env'));
}

const stackFile = fromStackFile();

export function stackValue(name: string): string {
  const value = process.env[name] ?? stackFile[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: start the local stack with \`npm run stack:up\` (npm test does it for you)`,
    );
  }
  return value;
}

export const stack = {
  get temporalAddress() {
    return stackValue('TEMPORAL_ADDRESS');
  },
  get temporalUiUrl() {
    return stackValue('TEMPORAL_UI_URL');
  },
  get kafkaBrokers() {
    return stackValue('KAFKA_BROKERS');
  },
  get stripeApiBase() {
    return stackValue('STRIPE_API_BASE');
  },
  get temporalTestServerPath() {
    return stackValue('TEMPORAL_TEST_SERVER_PATH');
  },
};
