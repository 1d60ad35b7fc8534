import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { SASLOptions } from 'kafkajs';
import type { Config } from '../config';

/** Connection options for Temporal shared by the client (gateway) and the worker's native connection. */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const { address, tls, apiKey } = config.temporal;
  return {
    address,
    ...(tls ? { tls: temporalTls(tls) } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

function temporalTls(tls: NonNullable<Config['temporal']['tls']>): TLSConfig {
  return {
    ...(tls.serverName !== undefined ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.serverCaPath !== undefined ? { serverRootCACertificate: fs.readFileSync(tls.serverCaPath) } : {}),
    ...(tls.clientCertPath !== undefined && tls.clientKeyPath !== undefined
      ? {
          clientCertPair: {
            crt: fs.readFileSync(tls.clientCertPath),
            key: fs.readFileSync(tls.clientKeyPath),
          },
        }
      : {}),
  };
}

/** kafkajs `ssl` and `sasl` options from config; both absent by default (plaintext, local stack). */
export function kafkaSecurityOptions(config: Pick<Config, 'kafka'>): {
  ssl?: true | { ca: string[] };
  sasl?: SASLOptions;
} {
  const { ssl, sasl } = config.kafka;
  return {
    ...(ssl ? { ssl: ssl.caPath !== undefined ? { ca: [fs.readFileSync(ssl.caPath, 'utf8')] } : true } : {}),
    ...(sasl ? { sasl: saslOptions(sasl) } : {}),
  };
}

function saslOptions(sasl: NonNullable<Config['kafka']['sasl']>): SASLOptions {
  const { username, password } = sasl;
  return sasl.mechanism === 'plain'
    ? { mechanism: 'plain', username, password }
    : { mechanism: 'scram-sha-512', username, password };
}
