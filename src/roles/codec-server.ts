/**
 * The codec server role: Temporal's remote codec protocol over the payload codec's keys, for the
 * Web UI and the CLI (src/api/codec/routes.ts). It connects to nothing: no Temporal, Stripe or Kafka.
 */
import { EncryptionCodec } from '../clients/payload-codec';
import type { StartRole } from './shared-parts';

export const start: StartRole = async ({ config }) => ({
  // Nothing to check: the keys were validated when the configuration was read.
  readiness: [],
  http: {
    codecServer: {
      codec: new EncryptionCodec(config.codec),
      tokens: config.codecServer.tokens,
      corsOrigins: config.codecServer.corsOrigins,
    },
  },
  async stop() {},
});
