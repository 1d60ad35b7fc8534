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
  const [otlpPort, uiPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    STACK_DIR: dir,
    STACK_TRACING_OTLP_PORT: String(otlpPort),
    STACK_TRACING_UI_PORT: String(uiPort),
    STACK_TRACING_QUERY_GRPC_PORT: String(grpcPort),
  };
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
  script('up.sh');
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
