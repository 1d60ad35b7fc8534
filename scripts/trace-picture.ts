/**
 * npm run trace:picture -- <trace_id> [out.svg]
 *
 * Reads one trace from the local stack's Jaeger (`npm run stack:up -- --with tracing`; JAEGER_URL in
 * .stack/stack.env) and writes it as an SVG waterfall (default docs/trace-of-a-charge.svg). The
 * trace id of a charge is in its Kafka record's `traceparent` header (`npm run consume`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { devEnv } from './dev-env';
import { waterfallSvg, type JaegerTrace } from './trace-waterfall';

async function main(): Promise<void> {
  const [traceId, out = 'docs/trace-of-a-charge.svg'] = process.argv.slice(2);
  if (traceId === undefined || !/^[0-9a-f]{32}$/.test(traceId)) {
    throw new Error('usage: npm run trace:picture -- <trace_id: 32 hex digits> [out.svg]');
  }
  const jaeger = devEnv()['JAEGER_URL'];
  if (jaeger === undefined) {
    throw new Error(
      'no JAEGER_URL in .stack/stack.env: start the trace backend (npm run stack:up -- --with tracing)',
    );
  }
  const res = await fetch(`${jaeger}/api/traces/${traceId}`);
  if (!res.ok) throw new Error(`Jaeger answered ${res.status} for trace ${traceId}`);
  const trace = ((await res.json()) as { data: JaegerTrace[] }).data[0];
  if (trace === undefined) throw new Error(`Jaeger holds no trace ${traceId}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    waterfallSvg(trace, `One charge, one trace (${trace.spans.length} spans, Jaeger ${traceId})`),
  );
  process.stdout.write(`wrote ${out} (${trace.spans.length} spans)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`trace:picture: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
