/** The raw figures of a run, as written to bench/results/latest.json. */
import type { BenchOptions } from './args';
import type { CeilingName, CeilingSample } from './ceilings/measure';
import type { DuplicateResult, StepResult } from './full-path/steps';
import type { MachineInfo } from './machine';
import type { PhaseUsage, ProcSampler } from './proc-sampler';
import { median, round, type LatencySummary } from './stats';

export type StepFigures = Omit<StepResult, 'completedBodies' | 'unfinished'>;

export interface CeilingFigures {
  /** Median of the samples (each a separate, interleaved measurement). */
  readonly per_s: number | null;
  readonly samples: readonly CeilingSample[];
}

/** Where the steps' rates came from. */
export interface RatePlacement {
  /** explicit: --rates; noop_workflow_ceiling: fractions of its first sample, measured before the steps. */
  readonly basis: 'explicit' | 'noop_workflow_ceiling';
  readonly ceiling_sample_per_s: number | null;
  readonly fractions: readonly number[];
  readonly placed_rates: readonly number[];
  /** Steps run after the placed ones, halfway between the highest pass and the lowest failure. */
  readonly search_rates: readonly number[];
}

export interface BenchResults {
  readonly run_id: string;
  readonly mode: 'smoke' | 'full';
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly started_at: string;
  readonly duration_s: number;
  /** Highest offered rate with 0 errors and every charge completed within slo_ms; null if none. */
  readonly sustained_charges_per_s: number | null;
  /** The sustained step's counts (null when no step passed). */
  readonly sustained: {
    readonly step: string;
    readonly accepted_per_s: number;
    readonly sent: number;
    readonly completed: number;
    readonly errors: number;
  } | null;
  readonly slo_ms: number;
  readonly noop_workflow_ceiling_per_s: number | null;
  readonly bare_workflow_ceiling_per_s: number | null;
  readonly direct_path_per_s: number | null;
  readonly http_noop_ceiling_per_s: number | null;
  readonly ratio_to_noop_ceiling: number | null;
  readonly ratio_to_bare_ceiling: number | null;
  readonly ratio_to_direct_path: number | null;
  /** At the sustained step (or the lowest step when none passed; see latency_step). */
  readonly latency_ms: {
    readonly step: string | null;
    readonly post_charge: LatencySummary | null;
    readonly webhook: LatencySummary | null;
    readonly end_to_end: LatencySummary | null;
    readonly end_to_end_record_ts: LatencySummary | null;
    readonly payment_intent_wait: LatencySummary | null;
    readonly duplicate_post: LatencySummary | null;
  };
  /** Peak RSS sampled during the run, per process (failed steps above the sustained one included). */
  readonly rss_mb: Record<string, number>;
  /**
   * Peak RSS sampled during the sustained step, per process: the figure the memory targets name
   * ("at the highest sustained rate"); empty when no step passed.
   */
  readonly rss_mb_at_sustained: Record<string, number>;
  /** VmHWM at the end of the run (lifetime peak; older than the run for reused stack parts). */
  readonly vm_hwm_mb: Record<string, number>;
  /** CPU seconds over the whole run, per process. */
  readonly cpu_s: Record<string, number>;
  /** CPU milliseconds per completed charge at the sustained step, per process. */
  readonly cpu_ms_per_charge: Record<string, number>;
  readonly steps: readonly StepFigures[];
  /** The same rates with `Prefer: wait=N` on every POST (`--prefer-wait`); empty when off. */
  readonly early_answer_steps: readonly StepFigures[];
  readonly warmup: StepFigures | null;
  readonly ceilings: Record<CeilingName, CeilingFigures>;
  readonly ceiling_method: string;
  readonly duplicates: DuplicateResult | null;
  readonly machine: MachineInfo | null;
  readonly worker_options: Record<string, unknown>;
  readonly rate_placement: RatePlacement;
  /** The latency-vs-arrival-rate chart (SVG), null when it could not be drawn. */
  readonly chart: string | null;
  readonly options: BenchOptions;
}

export function ceilingFigures(samples: readonly CeilingSample[]): CeilingFigures {
  return { per_s: median(samples.map((s) => s.per_s)), samples };
}

export function withoutBodies(step: StepResult): StepFigures {
  const { completedBodies: _bodies, unfinished: _unfinished, ...figures } = step;
  return figures;
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : round(a / b, 3);

export function summarise(args: {
  runId: string;
  options: BenchOptions;
  startedAt: Date;
  problems: readonly string[];
  warmup: StepResult | null;
  steps: readonly StepResult[];
  /** Steps whose POSTs asked for the early answer; not part of the sustained rate. */
  earlyAnswerSteps?: readonly StepResult[];
  ceilings: Record<CeilingName, readonly CeilingSample[]>;
  duplicates: DuplicateResult | null;
  machine: MachineInfo | null;
  workerOptions: Record<string, unknown>;
  sampler: ProcSampler;
  /** Usage over the measured part of the run (after start-up, before shutdown). */
  wholeRun: PhaseUsage;
  ratePlacement: RatePlacement;
  chart: string | null;
}): BenchResults {
  const { options, steps } = args;
  const earlyAnswerSteps = args.earlyAnswerSteps ?? [];
  const passed = steps.filter((s) => s.passed);
  const best = passed.reduce<StepResult | undefined>(
    (top, s) => (top === undefined || s.offered_per_s > top.offered_per_s ? s : top),
    undefined,
  );
  const latencyStep = best ?? steps[0];
  const ceilings = Object.fromEntries(
    Object.entries(args.ceilings).map(([name, samples]) => [name, ceilingFigures(samples)]),
  ) as Record<CeilingName, CeilingFigures>;
  const sustained = best?.offered_per_s ?? null;
  const peaks = args.sampler.peaks();
  const cpuPerCharge: Record<string, number> = {};
  if (best && best.completed > 0) {
    for (const [name, usage] of Object.entries(best.resources)) {
      cpuPerCharge[name] = round((usage.cpu_s * 1000) / best.completed, 2);
    }
  }
  const harnessOk =
    args.problems.length === 0 &&
    [...(args.warmup ? [args.warmup] : []), ...steps, ...earlyAnswerSteps].every(
      (s) => s.errors === 0 && s.incomplete === 0,
    ) &&
    (args.duplicates?.errors ?? 0) === 0 &&
    (args.duplicates?.alongside?.errors ?? 0) === 0 &&
    (args.duplicates?.alongside?.incomplete ?? 0) === 0 &&
    Object.values(args.ceilings).every((samples) => samples.every((s) => s.errors === 0));
  return {
    run_id: args.runId,
    mode: options.smoke ? 'smoke' : 'full',
    ok: options.smoke
      ? harnessOk &&
        steps.length > 0 &&
        [...steps, ...earlyAnswerSteps].every((s) => s.completed === s.sent) &&
        // The smoke's early-answer step must really answer early (201), not only fall back to 202.
        earlyAnswerSteps.every((s) => (s.early_answers ?? 0) > 0)
      : harnessOk,
    problems: args.problems,
    started_at: args.startedAt.toISOString(),
    duration_s: round((Date.now() - args.startedAt.getTime()) / 1000),
    sustained_charges_per_s: sustained,
    sustained: best
      ? {
          step: best.label,
          accepted_per_s: best.accepted_per_s,
          sent: best.sent,
          completed: best.completed,
          errors: best.errors + best.incomplete,
        }
      : null,
    slo_ms: options.sloMs,
    noop_workflow_ceiling_per_s: ceilings.noop_workflow.per_s,
    bare_workflow_ceiling_per_s: ceilings.bare_workflow.per_s,
    direct_path_per_s: ceilings.direct_charge.per_s,
    http_noop_ceiling_per_s: ceilings.http_noop.per_s,
    ratio_to_noop_ceiling: ratio(sustained, ceilings.noop_workflow.per_s),
    ratio_to_bare_ceiling: ratio(sustained, ceilings.bare_workflow.per_s),
    ratio_to_direct_path: ratio(sustained, ceilings.direct_charge.per_s),
    latency_ms: {
      step: latencyStep?.label ?? null,
      post_charge: latencyStep?.latency_ms.post_charge ?? null,
      webhook: latencyStep?.latency_ms.webhook ?? null,
      end_to_end: latencyStep?.latency_ms.end_to_end ?? null,
      end_to_end_record_ts: latencyStep?.latency_ms.end_to_end_record_ts ?? null,
      payment_intent_wait: latencyStep?.latency_ms.payment_intent_wait ?? null,
      duplicate_post: args.duplicates?.latency_ms ?? null,
    },
    rss_mb: Object.fromEntries(Object.entries(args.wholeRun).map(([n, u]) => [n, u.peak_rss_mb])),
    rss_mb_at_sustained: best
      ? Object.fromEntries(Object.entries(best.resources).map(([n, u]) => [n, u.peak_rss_mb]))
      : {},
    vm_hwm_mb: Object.fromEntries(Object.entries(peaks).map(([n, p]) => [n, p.vm_hwm_mb])),
    cpu_s: Object.fromEntries(Object.entries(args.wholeRun).map(([n, u]) => [n, u.cpu_s])),
    cpu_ms_per_charge: cpuPerCharge,
    steps: steps.map(withoutBodies),
    early_answer_steps: earlyAnswerSteps.map(withoutBodies),
    warmup: args.warmup ? withoutBodies(args.warmup) : null,
    ceilings,
    ceiling_method: `closed loop: ${options.ceilingConcurrency} concurrent callers, ${options.ceilingWarmupSeconds} s unmeasured then ${options.ceilingSeconds} s measured per sample; per_s is the median of the interleaved samples`,
    duplicates: args.duplicates,
    machine: args.machine,
    worker_options: args.workerOptions,
    rate_placement: args.ratePlacement,
    chart: args.chart,
    options,
  };
}
