import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, type BenchOptions } from '../../bench/args';
import type { StepResult } from '../../bench/full-path/steps';
import { ProcSampler, type PhaseUsage } from '../../bench/proc-sampler';
import { formatTable } from '../../bench/report';
import { summarise } from '../../bench/results';
import type { LatencySummary } from '../../bench/stats';

const LATENCY: LatencySummary = { count: 1, p50: 1, p90: 1, p99: 1, max: 1, mean: 1 };

function usage(workerRssMb: number, gatewayRssMb: number): PhaseUsage {
  return {
    worker: { cpu_s: 10, peak_rss_mb: workerRssMb },
    gateway: { cpu_s: 2, peak_rss_mb: gatewayRssMb },
  };
}

function step(rate: number, passed: boolean, resources: PhaseUsage): StepResult {
  const sent = rate * 30;
  return {
    label: `s${rate}`,
    offered_per_s: rate,
    seconds: 30,
    sent,
    accepted: sent,
    accepted_per_s: rate,
    completed: passed ? sent : sent - 25,
    completed_within_slo: passed ? sent : sent - 25,
    incomplete: passed ? 0 : 25,
    errors: 0,
    error_kinds: {},
    latency_ms: {
      post_charge: LATENCY,
      payment_intent_wait: LATENCY,
      webhook: LATENCY,
      end_to_end: LATENCY,
      end_to_end_record_ts: LATENCY,
    },
    max_fire_lag_ms: 1,
    drain_s: 1,
    passed,
    resources,
    completedBodies: [],
    unfinished: [],
  };
}

function options(): BenchOptions {
  const parsed = parseArgs(['--rates', '40,50']);
  if (parsed === 'help') throw new Error('--rates 40,50 is not a request for help');
  return parsed;
}

function summariseSteps(steps: readonly StepResult[]) {
  return summarise({
    runId: 'test-run',
    options: options(),
    startedAt: new Date(),
    problems: [],
    warmup: null,
    steps,
    ceilings: { http_noop: [], direct_charge: [], bare_workflow: [], noop_workflow: [] },
    duplicates: null,
    machine: null,
    workerOptions: {},
    sampler: new ProcSampler(),
    wholeRun: usage(301, 104),
    ratePlacement: {
      basis: 'explicit',
      ceiling_sample_per_s: null,
      fractions: [],
      placed_rates: [40, 50],
      search_rates: [],
    },
    chart: null,
  });
}

describe('bench results: memory at the highest sustained rate', () => {
  it('reports peak RSS during the sustained step apart from the whole run, whose peak may come from a failed step above it', () => {
    const results = summariseSteps([step(40, true, usage(282, 101)), step(50, false, usage(301, 104))]);

    assert.equal(results.sustained_charges_per_s, 40);
    assert.deepEqual(results.rss_mb_at_sustained, { worker: 282, gateway: 101 });
    assert.deepEqual(results.rss_mb, { worker: 301, gateway: 104 });
  });

  it('has no sustained-step memory when no step passed, and the table does not name a step for it', () => {
    const results = summariseSteps([step(40, false, usage(282, 101))]);

    assert.equal(results.sustained_charges_per_s, null);
    assert.deepEqual(results.rss_mb_at_sustained, {});
    assert.match(formatTable(results), /CPU ms\/charge @- \| peak RSS MB @- \|/);
    assert.match(formatTable(results), /^ {2}worker\s+10 \| - \| - \| 301 \(-\)$/m);
  });

  it('prints both peaks in the resources table, the sustained step first', () => {
    const table = formatTable(
      summariseSteps([step(40, true, usage(282, 101)), step(50, false, usage(301, 104))]),
    );

    assert.match(table, /peak RSS MB @s40 \| run \(VmHWM\)/);
    assert.match(table, /^ {2}worker\s+10 \| 8\.33 \| 282 \| 301 \(-\)$/m);
  });
});

describe('bench: POST /charge with Prefer: wait=N beside the plain POST (--prefer-wait)', () => {
  it('is off in a full run by default, on in the smoke run, and takes 0 … 10 s', () => {
    const parse = (argv: string[]) => {
      const parsed = parseArgs(argv);
      if (parsed === 'help') throw new Error('not a request for help');
      return parsed.preferWait;
    };
    assert.equal(parse([]), 0);
    assert.equal(parse(['--smoke']), 5);
    assert.equal(parse(['--rates', '25', '--prefer-wait', '5']), 5);
    assert.equal(parse(['--smoke', '--prefer-wait', '0']), 0);
    assert.throws(() => parse(['--prefer-wait', '11']), /0 \(off\) to 10/);
    assert.throws(() => parse(['--prefer-wait', '2.5']), /0 \(off\) to 10/);
  });

  it('reports the early-answer step apart from the sustained rate, its POST latency next to the plain one', () => {
    const plain = step(25, true, usage(280, 100));
    const early: StepResult = {
      ...step(25, true, usage(281, 101)),
      label: 'p25',
      prefer_wait_s: 5,
      early_answers: 750,
      latency_ms: { ...plain.latency_ms, post_charge: { ...LATENCY, p50: 9, p99: 31 } },
    };
    const results = summarise({
      runId: 'test-run',
      options: options(),
      startedAt: new Date(),
      problems: [],
      warmup: null,
      steps: [plain],
      earlyAnswerSteps: [early],
      ceilings: { http_noop: [], direct_charge: [], bare_workflow: [], noop_workflow: [] },
      duplicates: null,
      machine: null,
      workerOptions: {},
      sampler: new ProcSampler(),
      wholeRun: usage(301, 104),
      ratePlacement: {
        basis: 'explicit',
        ceiling_sample_per_s: null,
        fractions: [],
        placed_rates: [25],
        search_rates: [],
      },
      chart: null,
    });
    assert.equal(results.sustained?.step, 's25', 'the sustained rate is the plain steps’');
    assert.deepEqual(
      results.early_answer_steps.map((s) => [s.label, s.early_answers]),
      [['p25', 750]],
    );
    assert.match(
      formatTable(results),
      /^POST \/charge p50 \/ p99 \(ms\) at 25\/s: plain \| Prefer: wait=5\s+1 \/ 1 \| 9 \/ 31 {2}\(750\/750 answered early, 201\)$/m,
    );
  });
});
