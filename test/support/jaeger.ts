/**
 * The local stack's trace backend (`npm run stack:up -- --with tracing`: Jaeger, built by setup) for
 * one suite: started by the stack scripts in a stack folder of its own, on ports of its own, so it
 * never touches a Jaeger in use. The suite's service exports to it over OTLP/HTTP, and the test reads
 * the trace back from Jaeger's query API, as an operator's UI does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bindOnFreePort } from '../../src/observability/loopback-port';
import type { ReceivedSpan } from './otlp-receiver';
import { freePort } from './ports';
import { REPO_ROOT } from './repo';
import { stackDir } from './stack';

export interface TestJaeger {
  /** Where the service sends spans, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  readonly otlpUrl: string;
  /** Jaeger's UI and query API. */
  readonly queryUrl: string;
  /** The spans Jaeger holds for a trace (none while it has not received it). */
  trace(traceId: string): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

/** Jaeger's query API answer for one trace (GET /api/traces/:id), the parts read here. */
interface JaegerTraceAnswer {
  data?: Array<{
    spans: Array<{
      traceID: string;
      spanID: string;
      operationName: string;
      references?: Array<{ refType: string; spanID: string }>;
      tags?: Array<{ key: string; value: unknown }>;
      processID: string;
    }>;
    processes: Record<string, { serviceName: string }>;
  }>;
}

/** `count` free loopback ports, none twice (the OS may hand out a port it just handed out). */
async function distinctFreePorts(first: number[], count: number): Promise<number[]> {
  const ports = [...first];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** Jaeger's span.kind tag, as OTLP's SpanKind number (no tag: internal). */
const KIND: Record<string, number> = { server: 2, client: 3, producer: 4, consumer: 5 };

export async function startTestJaeger(): Promise<TestJaeger> {
  const binary = path.join(stackDir(), 'bin', 'jaeger');
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} is missing: run npm run setup (its tracing part builds Jaeger)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-tracing-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(binary, path.join(dir, 'bin', 'jaeger'));
  let env: NodeJS.ProcessEnv = process.env;
  const script = (name: 'up.sh' | 'down.sh') => {
    const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts/stack', name), 'tracing'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) {
      throw new Error(`scripts/stack/${name} tracing failed: ${result.stdout}${result.stderr}`);
    }
  };
  // Three ports, each free when picked; another process may take one before Jaeger binds it (its
  // log, which up.sh prints on failure, then says so), and Jaeger is started again on others.
  const { otlpPort, uiPort } = await bindOnFreePort(async (otlpPort) => {
    const ports = await distinctFreePorts([otlpPort], 3);
    const [, uiPort, grpcPort] = ports;
    env = {
      ...process.env,
      STACK_DIR: dir,
      STACK_TRACING_OTLP_PORT: String(otlpPort),
      STACK_TRACING_UI_PORT: String(uiPort),
      STACK_TRACING_QUERY_GRPC_PORT: String(grpcPort),
    };
    try {
      script('up.sh');
    } catch (err) {
      try {
        script('down.sh');
      } catch {
        // nothing was left running
      }
      // up.sh finding one of the ports taken before it started Jaeger says so in its own words.
      const message = err instanceof Error ? err.message : String(err);
      if (/is taken by a process these scripts did not start/.test(message))
        throw new Error(`address already in use: ${message}`, { cause: err });
      throw err;
    }
    return { otlpPort, uiPort };
  }, 3);
  const queryUrl = `http://127.0.0.1:${uiPort}`;
  return {
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    queryUrl,
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`Jaeger answered ${res.status} for trace ${traceId}`);
      const [trace] = ((await res.json()) as JaegerTraceAnswer).data ?? [];
      if (trace === undefined) return [];
      return trace.spans.map((span) => {
        const tags = Object.fromEntries((span.tags ?? []).map((tag) => [tag.key, tag.value]));
        return {
          traceId: span.traceID.padStart(32, '0'),
          spanId: span.spanID.padStart(16, '0'),
          parentSpanId:
            span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID.padStart(16, '0') ?? '',
          name: span.operationName,
          kind: KIND[String(tags['span.kind'])] ?? 1,
          attributes: tags,
          service: trace.processes[span.processID]?.serviceName,
        };
      });
    },
    async close() {
      try {
        script('down.sh');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
