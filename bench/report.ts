/** The one table a run prints: every headline figure, each step, the ceilings, the ratios and resources. */
import type { BucketQuantiles } from './sdk-metrics';
import type { CeilingName } from './ceilings/measure';
import type { BenchResults, StepFigures } from './results';
import type { LatencySummary } from './stats';

const CEILING_TITLES: Record<CeilingName, string> = {
  http_noop: 'ceiling: no-op Fastify route (req/s)',
  direct_charge: 'ceiling: direct non-durable charge (charges/s)',
  bare_workflow: 'ceiling: bare workflow (workflows/s)',
  noop_workflow: 'ceiling: workflow + 1 no-op activity (workflows/s)',
};

const n = (v: number | string | null | undefined, unit = ''): string =>
  v === null || v === undefined ? '-' : `${v}${unit}`;
const pp = (s: LatencySummary | null | undefined): string => (s ? `${n(s.p50)} / ${n(s.p99)}` : '-');

function stepRows(step: StepFigures, sloMs: number): Array<[string, string]> {
  const l = step.latency_ms;
  const verdict = step.passed ? 'PASS' : `FAIL${step.errors + step.incomplete > 0 ? '' : ` (>${sloMs} ms)`}`;
  const errorText =
    step.errors + step.incomplete === 0
      ? '0 errors'
      : `${step.errors} errors, ${step.incomplete} incomplete: ${Object.entries(step.error_kinds)
          .map(([k, c]) => `${k}=${c}`)
          .join(', ')}`;
  const head = `step ${step.offered_per_s}/s x ${step.seconds}s`;
  return [
    [
      head,
      `${verdict}: ${step.completed}/${step.sent} completed, ${step.completed_within_slo} within ${sloMs} ms, ${errorText}`,
    ],
    [`  accepted rate (202/s)`, `${step.accepted_per_s}`],
    [`  POST /charge p50 / p99 (ms)`, pp(l.post_charge)],
    [`  PaymentIntent known after 202, p50 / p99 (ms)`, pp(l.payment_intent_wait)],
    [`  webhook POST p50 / p99 (ms)`, pp(l.webhook)],
    [`  end-to-end p50 / p99 / max (ms)`, `${pp(l.end_to_end)} / ${n(l.end_to_end.max)}`],
    [`  end-to-end to record timestamp p50 / p99 (ms)`, pp(l.end_to_end_record_ts)],
    [`  drain after last send (s); generator max lag (ms)`, `${step.drain_s}; ${step.max_fire_lag_ms}`],
    ...sdkRows(step),
  ];
}

/** The worker's task latencies as bucket bounds: "≤2 / ≤20" reads "p50 within 2 ms, p99 within 20 ms". */
function sdkRows(step: StepFigures): Array<[string, string]> {
  const sdk = step.worker_sdk_ms;
  if (!sdk) return [];
  const b = (q: BucketQuantiles) => (q.count === 0 ? '-' : `≤${q.p50_le_ms ?? '∞'} / ≤${q.p99_le_ms ?? '∞'}`);
  return [
    [
      `  worker: workflow task wait p50 / p99; run p50 / p99 (ms)`,
      `${b(sdk.workflow_task_schedule_to_start_latency)}; ${b(sdk.workflow_task_execution_latency)}`,
    ],
    [
      `  worker: activity wait p50 / p99; run p50 / p99 (ms)`,
      `${b(sdk.activity_schedule_to_start_latency)}; ${b(sdk.activity_execution_latency)}`,
    ],
  ];
}

export function formatTable(r: BenchResults): string {
  const rows: Array<[string, string] | 'rule'> = [];
  const sustainedNote =
    r.sustained_charges_per_s === null ? 'no step passed' : `0 errors, every charge <= ${r.slo_ms} ms`;
  rows.push([
    'sustained full charge path (charges/s)',
    `${n(r.sustained_charges_per_s)}  (${sustainedNote})`,
  ]);
  for (const name of Object.keys(CEILING_TITLES) as CeilingName[]) {
    const c = r.ceilings[name];
    const samples = c.samples.map((s) => s.per_s).join(', ');
    const p = c.samples[0]?.latency_ms;
    const cpu = Object.entries(c.samples[0]?.cpu_ms_per_op ?? {})
      .sort(([, a], [, b]) => b - a)
      .slice(0, 3)
      .map(([proc, v]) => `${proc} ${v}`)
      .join(', ');
    rows.push([
      CEILING_TITLES[name],
      `${n(c.per_s)}  (samples: ${samples || '-'}; p50/p99 ${pp(p)} ms; CPU ms/op: ${cpu || '-'})`,
    ]);
  }
  rows.push(['ratio: sustained / no-op workflow ceiling', n(r.ratio_to_noop_ceiling)]);
  rows.push(['ratio: sustained / bare workflow ceiling', n(r.ratio_to_bare_ceiling)]);
  rows.push(['ratio: sustained / direct non-durable path', n(r.ratio_to_direct_path)]);
  const placement = r.rate_placement;
  rows.push([
    'step rates (charges/s)',
    (placement.basis === 'explicit'
      ? `${placement.placed_rates.join(', ')} (as given)`
      : `${placement.placed_rates.join(', ')} (${placement.fractions.join(', ')} of the no-op-workflow ceiling's first sample, ${n(placement.ceiling_sample_per_s)}/s)`) +
      (placement.search_rates.length > 0 ? `; searching the edge: ${placement.search_rates.join(', ')}` : ''),
  ]);
  rows.push('rule');
  for (const step of r.steps) rows.push(...stepRows(step, r.slo_ms));
  rows.push('rule');
  for (const early of r.early_answer_steps) {
    const plain = r.steps.find((s) => s.offered_per_s === early.offered_per_s);
    rows.push([
      `POST /charge p50 / p99 (ms) at ${early.offered_per_s}/s: plain | Prefer: wait=${n(early.prefer_wait_s)}`,
      `${pp(plain?.latency_ms.post_charge)} | ${pp(early.latency_ms.post_charge)}  (${n(early.early_answers)}/${early.sent} answered early, 201)`,
    ]);
    rows.push(
      ...stepRows(early, r.slo_ms).map(([k, v]): [string, string] => [
        k.startsWith('step ') ? `${k} with Prefer: wait=${n(early.prefer_wait_s)}` : k,
        v,
      ]),
    );
  }
  if (r.early_answer_steps.length > 0) rows.push('rule');
  const d = r.duplicates;
  rows.push([
    `duplicate POST /charge p50 / p99 (ms)`,
    d
      ? `${pp(d.latency_ms)}  (${d.ok}/${d.sent} answered duplicate at ${d.offered_per_s}/s, ${d.errors} errors` +
        (d.alongside
          ? `; alongside ${d.alongside.offered_per_s} new charges/s: ${d.alongside.completed}/${d.alongside.sent} completed, ${d.alongside.errors} errors)`
          : ')')
      : '-',
  ]);
  rows.push('rule');
  // CPU per charge and RSS are the sustained step's; the latency step falls back to the lowest one.
  const at = r.sustained?.step ?? '-';
  rows.push([
    `resources per process`,
    `CPU s (run) | CPU ms/charge @${at} | peak RSS MB @${at} | run (VmHWM)`,
  ]);
  const order = ['gateway', 'webhook-receiver', 'worker', 'temporal', 'kafka', 'stripe-mock', 'codec-server'];
  const names = Object.keys(r.cpu_s).sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99),
  );
  for (const name of names) {
    rows.push([
      `  ${name}`,
      `${n(r.cpu_s[name])} | ${n(r.cpu_ms_per_charge[name])} | ${n(r.rss_mb_at_sustained[name])} | ` +
        `${n(r.rss_mb[name])} (${n(r.vm_hwm_mb[name])})`,
    ]);
  }
  const width = Math.max(...rows.map((row) => (row === 'rule' ? 0 : row[0].length)));
  const lines = rows.map((row) =>
    row === 'rule' ? '-'.repeat(width + 40) : `${row[0].padEnd(width)}  ${row[1]}`,
  );
  const m = r.machine;
  const header = m
    ? `payments bench (${r.mode}) run ${r.run_id}: ${m.cores} cores (${m.cpu_model}), Node ${m.node}, ` +
      `Temporal server ${n(m.temporal_server)} (${n(m.temporal_cli)}), SDK ${n(m.packages['@temporalio/worker'])}, ` +
      `Kafka ${n(m.kafka)}, stripe-mock ${n(m.stripe_mock)}, load avg at start ${m.load_average_at_start.join(' ')}`
    : `payments bench (${r.mode}) run ${r.run_id}`;
  const footer = [
    `ceilings: ${r.ceiling_method}`,
    `full path: open model, fixed arrival rate; POST and end-to-end latency measured from the intended send time`,
    `worker options: ${JSON.stringify(r.worker_options)}`,
    ...(r.chart ? [`latency-vs-rate chart: ${r.chart}`] : []),
    ...(r.problems.length > 0 ? [`PROBLEMS: ${r.problems.join('; ')}`] : []),
    `${r.ok ? 'OK' : 'NOT OK'}: results in ${r.options.out} (${r.duration_s} s)`,
  ];
  return [header, '-'.repeat(width + 40), ...lines, '-'.repeat(width + 40), ...footer].join('\n');
}
