/**
 * `npm run bench -- --tracing`: what tracing costs. The same full charge path (POST /charge, the
 * workflow, Stripe, the webhook, the Kafka record) at one rate, through two sets of roles alike in
 * all but OTEL_EXPORTER_OTLP_ENDPOINT: one exports every span over OTLP to a receiver in the bench,
 * the other exports nothing. Steps alternate (off, on, then on, off, …) so a drift of the machine hits
 * both alike; the ratios on/off of latency and of CPU per charge are printed and written as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OtlpReceiver } from '../test/support/otlp-receiver';
import { REPO_ROOT } from '../test/support/repo';
import type { TracingOptions } from './args';
import type { BenchContext } from './context';
import { ChargeDriver } from './full-path/driver';
import { runStep, type StepResult } from './full-path/steps';
import { log } from './lifecycle';
import type { ServiceProcesses } from './service';
import { round } from './stats';

const ROLES = ['gateway', 'webhook-receiver', 'worker'] as const;

export interface TracingFigures {
  readonly sent: number;
  readonly completed: number;
  /** Means over the mode's steps of each step's end-to-end p50 and p99 (ms). */
  readonly e2e_p50_ms: number;
  readonly e2e_p99_ms: number;
  /** CPU milliseconds per completed charge, per role and in all. */
  readonly cpu_ms_per_charge: Record<(typeof ROLES)[number] | 'total', number>;
}

export interface TracingOverhead {
  readonly rate_per_s: number;
  readonly step_seconds: number;
  readonly rounds: number;
  readonly off: TracingFigures;
  readonly on: TracingFigures;
  /** on / off: above 1 is what tracing costs. */
  readonly ratio: { readonly e2e_p50: number; readonly e2e_p99: number; readonly cpu_per_charge: number };
  readonly spans_received: number;
}

function figures(steps: readonly StepResult[], processPrefix: string): TracingFigures {
  const sent = steps.reduce((n, s) => n + s.sent, 0);
  const completed = steps.reduce((n, s) => n + s.completed, 0);
  const mean = (pick: (s: StepResult) => number) =>
    round(steps.reduce((n, s) => n + pick(s), 0) / Math.max(steps.length, 1));
  const cpu = Object.fromEntries(
    ROLES.map((role) => [
      role,
      round(
        (steps.reduce((n, s) => n + (s.resources[`${processPrefix}${role}`]?.cpu_s ?? 0), 0) * 1000) /
          Math.max(completed, 1),
      ),
    ]),
  ) as Record<(typeof ROLES)[number], number>;
  return {
    sent,
    completed,
    e2e_p50_ms: mean((s) => s.latency_ms.end_to_end.p50 ?? 0),
    e2e_p99_ms: mean((s) => s.latency_ms.end_to_end.p99 ?? 0),
    cpu_ms_per_charge: { ...cpu, total: round(ROLES.reduce((n, role) => n + cpu[role], 0)) },
  };
}

export async function runTracingOverhead(
  ctx: BenchContext,
  options: TracingOptions,
  off: ServiceProcesses,
  on: ServiceProcesses,
  receiver: OtlpReceiver,
): Promise<boolean> {
  const driverFor = (service: ServiceProcesses) =>
    new ChargeDriver({
      http: ctx.http,
      gatewayUrl: service.gateway.url,
      webhookUrl: service.webhook.url,
      piLookup: ctx.options.piLookup,
      paymentIntents: ctx.paymentIntents,
      completions: ctx.completions,
    });
  const modes = { off: driverFor(off), on: driverFor(on) };
  const results: Record<'off' | 'on', StepResult[]> = { off: [], on: [] };
  const step = async (mode: 'off' | 'on', index: number) => {
    const label = `tracing-${mode}-${index}`;
    log(`tracing ${mode}: ${options.ratePerS}/s for ${options.seconds} s`);
    const result = await runStep({
      driver: modes[mode],
      sampler: ctx.sampler,
      label,
      prefix: `${ctx.prefix}${label}-`,
      rate: options.ratePerS,
      seconds: options.seconds,
      drainSeconds: ctx.options.drainSeconds,
      sloMs: ctx.options.sloMs,
    });
    results[mode].push(result);
    ctx.children.assertHealthy();
  };
  for (let round_ = 0; round_ < options.rounds; round_++) {
    const order: Array<'off' | 'on'> = round_ % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) await step(mode, round_);
  }

  const offFigures = figures(results.off, '');
  const onFigures = figures(results.on, 'traced-');
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : 0);
  const report: TracingOverhead = {
    rate_per_s: options.ratePerS,
    step_seconds: options.seconds,
    rounds: options.rounds,
    off: offFigures,
    on: onFigures,
    ratio: {
      e2e_p50: ratio(onFigures.e2e_p50_ms, offFigures.e2e_p50_ms),
      e2e_p99: ratio(onFigures.e2e_p99_ms, offFigures.e2e_p99_ms),
      cpu_per_charge: ratio(onFigures.cpu_ms_per_charge.total, offFigures.cpu_ms_per_charge.total),
    },
    spans_received: receiver.spans.length,
  };
  const out = path.join(REPO_ROOT, options.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const row = (name: string, f: TracingFigures) =>
    `  ${name.padEnd(12)} ${String(f.completed).padStart(5)}/${String(f.sent).padEnd(5)} ` +
    `p50 ${String(f.e2e_p50_ms).padStart(7)} ms  p99 ${String(f.e2e_p99_ms).padStart(7)} ms  ` +
    `CPU/charge ${String(f.cpu_ms_per_charge.total).padStart(6)} ms ` +
    `(gateway ${f.cpu_ms_per_charge.gateway}, webhook ${f.cpu_ms_per_charge['webhook-receiver']}, worker ${f.cpu_ms_per_charge.worker})`;
  process.stdout.write(
    [
      '',
      `Tracing off vs on: ${options.ratePerS} charges/s, ${options.rounds} × ${options.seconds} s each`,
      row('tracing off', offFigures),
      row('tracing on', onFigures),
      `  on/off       p50 ×${report.ratio.e2e_p50}  p99 ×${report.ratio.e2e_p99}  CPU per charge ×${report.ratio.cpu_per_charge}  (${report.spans_received} spans exported)`,
      `  written to ${options.out}`,
      '',
    ].join('\n'),
  );
  const complete = [...results.off, ...results.on].every((s) => s.completed === s.sent && s.errors === 0);
  if (!complete) ctx.problems.push('tracing comparison: a charge did not complete or a request failed');
  if (report.spans_received === 0) ctx.problems.push('tracing comparison: no span reached the receiver');
  return complete && report.spans_received > 0;
}
