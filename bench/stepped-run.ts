/**
 * The stepped run: a warm-up, the no-op-workflow ceiling, the full charge path at stepped open-model
 * rates (placed relative to that ceiling unless --rates names them, then a few bisecting steps),
 * each followed by one ceiling in turn so machine noise hits all alike, the ceiling samples still
 * missing, and the repeated POSTs. Writes bench/results/latest.json and the latency-vs-rate chart,
 * and prints one table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/support/repo';
import { writeChart } from './charts/render';
import { latencyVsRateSpec } from './charts/specs';
import { CEILINGS, measureCeiling, type CeilingName, type CeilingSample } from './ceilings/measure';
import type { BenchContext } from './context';
import { ChargeDriver } from './full-path/driver';
import { terminateLeftovers } from './full-path/leftovers';
import {
  alongsideLoad,
  runDuplicates,
  runStep,
  type DuplicateResult,
  type StepResult,
} from './full-path/steps';
import { log } from './lifecycle';
import { nextSearchRate, placeRates } from './rates';
import { formatTable } from './report';
import { summarise, type BenchResults, type RatePlacement } from './results';
import { parseSdkHistograms, quantilesBetween, type HistogramSnapshot } from './sdk-metrics';
import type { ServiceProcesses } from './service';

/** Warm-up rate when the steps are placed (their rates are not known before the ceiling). */
const PLACED_WARMUP_RATE = { full: 10, smoke: 5 } as const;

export async function runSteppedBench(ctx: BenchContext, service: ServiceProcesses): Promise<boolean> {
  const { options, http, sampler, children, targets, prefix } = ctx;
  const driver = new ChargeDriver({
    http,
    gatewayUrl: service.gateway.url,
    webhookUrl: service.webhook.url,
    piLookup: options.piLookup,
    paymentIntents: ctx.paymentIntents,
    completions: ctx.completions,
  });
  const workerHistograms = async (): Promise<HistogramSnapshot | null> => {
    try {
      const res = await http.request('GET', `${service.worker.url}/metrics`);
      return res.status === 200 ? parseSdkHistograms(res.body) : null;
    } catch {
      return null; // the step's figures do not depend on it
    }
  };
  const step = async (label: string, rate: number, seconds: number, preferWait = 0): Promise<StepResult> => {
    const before = await workerHistograms();
    const result = await runStep({
      preferWait,
      driver,
      sampler,
      label,
      prefix: `${prefix}${label}-`,
      rate,
      seconds,
      drainSeconds: options.drainSeconds,
      sloMs: options.sloMs,
    });
    const after = await workerHistograms();
    return { ...result, worker_sdk_ms: before && after ? quantilesBetween(before, after) : null };
  };
  const ceilingSamples: Record<CeilingName, CeilingSample[]> = {
    http_noop: [],
    direct_charge: [],
    bare_workflow: [],
    noop_workflow: [],
  };
  let ceilingRuns = 0;
  const ceiling = async (name: CeilingName): Promise<CeilingSample> => {
    const sample = await measureCeiling({
      name,
      targets,
      http,
      sampler,
      concurrency: options.ceilingConcurrency,
      warmupSeconds: options.ceilingWarmupSeconds,
      seconds: options.ceilingSeconds,
      idPrefix: `${prefix}${name}-${ceilingRuns++}-`,
    });
    ceilingSamples[name].push(sample);
    log(`ceiling ${name}: ${sample.per_s}/s (p50 ${sample.latency_ms.p50} ms, ${sample.errors} errors)`);
    children.assertHealthy();
    return sample;
  };

  const placed = options.rates.length === 0;
  const wholeRun = sampler.beginPhase();
  const warmupRate = options.rates[0] ?? PLACED_WARMUP_RATE[options.smoke ? 'smoke' : 'full'];
  let warmup: StepResult | null = null;
  if (options.warmupSeconds > 0) {
    log(`warm-up: ${warmupRate}/s for ${options.warmupSeconds} s`);
    warmup = await step('warmup', warmupRate, options.warmupSeconds);
    children.assertHealthy();
  }

  // The no-op-workflow ceiling first: the placed steps are fractions of it, so that the ratio
  // sustained / ceiling means the same on a slow box as on a fast one.
  let next = 0;
  let placement: RatePlacement;
  if (placed) {
    const basis = (await ceiling('noop_workflow')).per_s;
    next = 1;
    const rates = placeRates(basis, options.rateFractions);
    placement = {
      basis: 'noop_workflow_ceiling',
      ceiling_sample_per_s: basis,
      fractions: options.rateFractions,
      placed_rates: rates,
      search_rates: [],
    };
    log(
      `steps at ${options.rateFractions.join(', ')} of the no-op-workflow ceiling (${basis}/s): ${rates.join(', ')}/s`,
    );
  } else {
    placement = {
      basis: 'explicit',
      ceiling_sample_per_s: null,
      fractions: [],
      placed_rates: [...options.rates],
      search_rates: [],
    };
  }

  // Interleaved: each step is followed by the next ceiling in turn.
  const steps: StepResult[] = [];
  // The same rates with `Prefer: wait=N` on every POST, each right after its plain step.
  const earlyAnswerSteps: StepResult[] = [];
  const runOne = async (rate: number): Promise<StepResult> => {
    log(`step ${rate}/s for ${options.stepSeconds} s`);
    const result = await step(`s${rate}`, rate, options.stepSeconds);
    steps.push(result);
    const l = result.latency_ms;
    log(
      `step ${rate}/s: ${result.passed ? 'pass' : 'FAIL'}, ${result.completed}/${result.sent} completed, ` +
        `${result.errors} errors, ${result.incomplete} incomplete, e2e p50 ${l.end_to_end.p50} p99 ${l.end_to_end.p99} max ${l.end_to_end.max} ms`,
    );
    children.assertHealthy();
    if (options.preferWait > 0) {
      log(`step ${rate}/s for ${options.stepSeconds} s with Prefer: wait=${options.preferWait}`);
      const early = await step(`p${rate}`, rate, options.stepSeconds, options.preferWait);
      earlyAnswerSteps.push(early);
      const p = early.latency_ms.post_charge;
      log(
        `step ${rate}/s with Prefer: ${early.passed ? 'pass' : 'FAIL'}, ${early.early_answers ?? 0}/${early.sent} answered early, ` +
          `${early.errors} errors, POST p50 ${p.p50} p99 ${p.p99} ms (plain: ${l.post_charge.p50} / ${l.post_charge.p99} ms)`,
      );
      children.assertHealthy();
    }
    await ceiling(CEILINGS[next++ % CEILINGS.length] ?? 'http_noop');
    return result;
  };
  for (const rate of placement.placed_rates) {
    const result = await runOne(rate);
    if (!result.passed && !options.keepGoing) {
      log('step failed: stopping the steps here (--keep-going runs the rest)');
      break;
    }
  }
  // Then find the edge: halfway between the highest pass and the lowest failure, a few times.
  const searchRates: number[] = [];
  for (let i = 0; i < options.searchSteps; i++) {
    const rate = nextSearchRate(steps);
    if (rate === null) break;
    log(`search: between the highest rate that passed and the lowest that failed`);
    searchRates.push(rate);
    await runOne(rate);
  }
  placement = { ...placement, search_rates: searchRates };
  // The samples still missing, round after round, so no ceiling gets all of its samples in a row.
  for (let sample = 1; sample <= options.ceilingSamples; sample++) {
    for (const name of CEILINGS) if (ceilingSamples[name].length < sample) await ceiling(name);
  }

  const lastWithCompletions = [...steps].reverse().find((s) => s.completedBodies.length > 0);
  const loadRate = options.dupLoadRate;
  log(
    `duplicates: ${options.dupRate}/s for ${options.dupSeconds} s` +
      (loadRate > 0 ? `, alongside ${loadRate} new charges/s` : ''),
  );
  const [repeats, loadStep] = await Promise.all([
    runDuplicates({
      http,
      gatewayUrl: service.gateway.url,
      bodies: lastWithCompletions?.completedBodies ?? [],
      rate: options.dupRate,
      seconds: options.dupSeconds,
    }),
    loadRate > 0 ? step('dupload', loadRate, options.dupSeconds) : Promise.resolve(null),
  ]);
  const duplicates: DuplicateResult = { ...repeats, alongside: loadStep ? alongsideLoad(loadStep) : null };
  children.assertHealthy();
  const wholeUsage = sampler.endPhase(wholeRun);
  const leftovers = [warmup, ...steps, ...earlyAnswerSteps, loadStep].flatMap((s) => s?.unfinished ?? []);
  if (leftovers.length > 0) {
    try {
      const n = await terminateLeftovers(targets.temporal, leftovers);
      log(`terminated ${n} workflows of charges that did not complete`);
    } catch (err) {
      log(`could not terminate unfinished charges: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (ctx.completions.repeats > 0)
    log(`note: ${ctx.completions.repeats} repeated Kafka records (retried publishes)`);

  let results = summarise({
    runId: ctx.runId,
    options,
    startedAt: ctx.startedAt,
    problems: ctx.problems,
    warmup,
    steps,
    earlyAnswerSteps,
    ceilings: ceilingSamples,
    duplicates,
    machine: ctx.machine,
    workerOptions: targets.workerOptions,
    sampler,
    wholeRun: wholeUsage,
    ratePlacement: placement,
    chart: options.chart,
  });
  try {
    await writeChart(path.resolve(REPO_ROOT, options.chart), latencyChart(results));
  } catch (err) {
    const problem = `latency chart: ${err instanceof Error ? err.message : String(err)}`;
    log(problem);
    results = { ...results, ok: false, chart: null, problems: [...results.problems, problem] };
  }
  const out = path.resolve(REPO_ROOT, options.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  fs.copyFileSync(out, path.join(path.dirname(out), `${ctx.runId}.json`));
  process.stdout.write(`${formatTable(results)}\n`);
  return results.ok;
}

export function latencyChart(r: BenchResults) {
  const m = r.machine;
  const p = r.rate_placement;
  return latencyVsRateSpec({
    title: 'Full charge path: latency against the offered arrival rate',
    subtitle: [
      `each step ${r.options.stepSeconds} s, open model, latency from the intended send time; a step passes with ` +
        `0 errors and every charge done within ${r.slo_ms} ms`,
      (p.basis === 'explicit'
        ? `rates as given (--rates)`
        : `steps at ${p.fractions.join(', ')} of the no-op-workflow ceiling's first sample (${p.ceiling_sample_per_s}/s)`) +
        (p.search_rates.length > 0 ? `, then ${p.search_rates.join(', ')}/s searching the edge` : '') +
        `; ceiling line: median of ${r.options.ceilingSamples}`,
      `run ${r.run_id}` +
        (m ? ` · ${m.cores} cores, load ${m.load_average_at_start.join(' ')} at start` : ''),
    ],
    steps: r.steps,
    noopCeilingPerS: r.noop_workflow_ceiling_per_s,
    sustainedPerS: r.sustained_charges_per_s,
  });
}
