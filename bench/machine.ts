/** What the figures were measured on: machine, runtimes and the versions of every moving part. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { REPO_ROOT } from '../test/support/repo';

const PACKAGES = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/core-bridge',
  'kafkajs',
  'stripe',
  'fastify',
  'tsx',
];

function packageVersion(name: string): string | null {
  try {
    const file = path.join(REPO_ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

function firstMatch(file: string, pattern: RegExp): string | null {
  try {
    return pattern.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

export interface MachineInfo {
  readonly cores: number;
  readonly cpu_model: string;
  readonly memory_gb: number;
  readonly load_average_at_start: readonly number[];
  readonly os: string;
  readonly node: string;
  readonly packages: Record<string, string | null>;
  readonly temporal_server: string | null;
  readonly temporal_cli: string | null;
  readonly kafka: string | null;
  readonly stripe_mock: string | null;
}

export async function machineInfo(stackDir: string, temporal: Client): Promise<MachineInfo> {
  let temporalServer: string | null = null;
  try {
    temporalServer = (await temporal.workflowService.getSystemInfo({})).serverVersion || null;
  } catch {
    // older servers do not say
  }
  let temporalCli: string | null = null;
  try {
    temporalCli = execFileSync(path.join(stackDir, 'venv/bin/temporal'), ['--version'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    // not installed by the stack scripts (external server)
  }
  let kafka: string | null = null;
  try {
    const jar = fs
      .readdirSync(path.join(stackDir, 'kafka/lib'))
      .find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f));
    kafka = jar?.replace(/^kafka_[\d.]+-([\d.]+)\.jar$/, '$1') ?? null;
  } catch {
    // external broker
  }
  return {
    cores: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 1024 ** 3),
    load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
    temporal_server: temporalServer,
    temporal_cli: temporalCli,
    kafka,
    stripe_mock: firstMatch(
      path.join(REPO_ROOT, 'scripts/stack/lib.sh'),
      /STACK_STRIPE_MOCK_VERSION="([^"]+)"/,
    ),
  };
}
