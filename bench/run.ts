/**
 * `npm run bench`: starts the stack (parts not yet running) and the service as separate gateway,
 * webhook-receiver and worker processes, then measures, interleaved so machine noise hits all alike:
 * the full charge path at stepped open-model rates, the ceilings (closed loop) between the steps,
 * repeated POSTs, and CPU/RSS of every process. Prints one table and writes bench/results/latest.json.
 * Everything it started is stopped at the end, on failure and on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ChildFailure, Children } from '../test/support/children';
import { Cleanup, exitCodeOf, exitOnInterrupt, onInterruptCleanup, runMain } from '../test/support/cleanup';
import { REPO_ROOT } from '../test/support/repo';
import { OwnedStackParts, STACK_PARTS, readStackEnv, stackDir, stackPids } from '../test/support/stack';
import { USAGE, UsageError, parseArgs, type BenchOptions } from './args';
import {
  CEILINGS,
  measureCeiling,
  startCeilingTargets,
  type CeilingName,
  type CeilingSample,
} from './ceilings/measure';
import { ChargeDriver } from './full-path/driver';
import { terminateLeftovers } from './full-path/leftovers';
import {
  alongsideLoad,
  runDuplicates,
  runStep,
  type DuplicateResult,
  type StepResult,
} from './full-path/steps';
import { HttpClient } from './http-client';
import { parseSdkHistograms, quantilesBetween, type HistogramSnapshot } from './sdk-metrics';
import { build, log } from './lifecycle';
import { CompletionWatcher } from './kafka-completions';
import { machineInfo, type MachineInfo } from './machine';
import { ProcSampler } from './proc-sampler';
import { formatTable } from './report';
import { summarise } from './results';
import { FRONT_ROLE_NODE_OPTIONS, serviceEnv, startServiceProcesses } from './service';
import { startStripeProxy, type StripeProxy } from './stripe-proxy';
import { Waiters } from './waiters';

const TOPICS = ['payments.completed', 'payments.failed'];

async function bench(options: BenchOptions, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date();
  const runId = `${startedAt.getTime().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench-${runId}-`;
  const problems: string[] = [];
  log(`run ${runId} (${options.smoke ? 'smoke' : 'full'})`);

  if (options.build) {
    log('npm run build');
    await build();
  }

  const stackParts = new OwnedStackParts({ echo: true });
  cleanup.add('stack', async () => {
    if (stackParts.started.length === 0) return;
    log(`stopping the stack parts this run started: ${stackParts.started.join(' ')}`);
    await stackParts.down();
  });
  const startedByUs = await stackParts.up();
  if (startedByUs.length > 0) log(`started stack parts: ${startedByUs.join(' ')}`);
  const stackEnv = readStackEnv();
  const stackPartPids = stackPids();

  const sampler = new ProcSampler();
  sampler.track('bench', process.pid);
  for (const part of STACK_PARTS) {
    const pid = stackPartPids[part];
    if (pid !== undefined) sampler.track(part, pid);
    else log(`${part} was not started by the stack scripts (no pid file): its CPU and RSS are not measured`);
  }

  const children = new Children(path.join(REPO_ROOT, 'bench/results/logs'), log);
  cleanup.add('child processes', () => children.stopAll());
  const http = new HttpClient();
  cleanup.add('http client', () => http.close());

  const paymentIntents = new Waiters<string>();
  let stripeBase = stackEnv['STRIPE_API_BASE'] ?? '';
  if (options.piLookup === 'proxy') {
    const proxy: StripeProxy = await startStripeProxy(stripeBase, (eventId, id) =>
      paymentIntents.put(eventId, id),
    );
    cleanup.add('stripe proxy', () => proxy.close());
    stripeBase = proxy.url;
  }

  const common = { LOG_LEVEL: options.logLevel, STRIPE_API_BASE: stripeBase };
  log('starting gateway, webhook-receiver and worker processes, and the ceiling server and worker');
  const [service, targets] = await Promise.all([
    startServiceProcesses(children, (role, port) =>
      serviceEnv(stackEnv, {
        ...common,
        ...(role === 'worker' ? {} : { NODE_OPTIONS: FRONT_ROLE_NODE_OPTIONS }),
        PAYMENTS_MODE: role,
        PORT: String(port),
        TEMPORAL_TASK_QUEUE: `bench-${runId}`,
      }),
    ),
    startCeilingTargets({
      children,
      sampler,
      env: (port) =>
        serviceEnv(stackEnv, {
          ...common,
          PAYMENTS_MODE: 'worker',
          PORT: String(port),
          TEMPORAL_TASK_QUEUE: `bench-ceiling-${runId}`,
        }),
      temporalAddress: stackEnv['TEMPORAL_ADDRESS'] ?? '',
      namespace: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default',
      taskQueue: `bench-ceiling-${runId}`,
    }).then((targets) => {
      cleanup.add('temporal client', () => targets.close());
      return targets;
    }),
  ]);
  sampler.track('gateway', service.gateway.child.pid);
  sampler.track('webhook-receiver', service.webhook.child.pid);
  sampler.track('worker', service.worker.child.pid);

  const completions = await CompletionWatcher.start(
    (stackEnv['KAFKA_BROKERS'] ?? '').split(','),
    TOPICS,
    prefix,
  );
  cleanup.add('kafka consumer', () => completions.stop());

  let machine: MachineInfo | null = null;
  try {
    machine = await machineInfo(stackDir(), targets.temporal);
  } catch (err) {
    problems.push(`machine info: ${err instanceof Error ? err.message : String(err)}`);
  }

  const driver = new ChargeDriver({
    http,
    gatewayUrl: service.gateway.url,
    webhookUrl: service.webhook.url,
    piLookup: options.piLookup,
    paymentIntents,
    completions,
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
  const ceiling = async (name: CeilingName): Promise<void> => {
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
  };

  sampler.start();
  const wholeRun = sampler.beginPhase();
  const firstRate = options.rates[0] ?? 10;
  let warmup: StepResult | null = null;
  if (options.warmupSeconds > 0) {
    log(`warm-up: ${firstRate}/s for ${options.warmupSeconds} s`);
    warmup = await step('warmup', firstRate, options.warmupSeconds);
    children.assertHealthy();
  }

  // Interleaved: each step is followed by the next ceiling in turn.
  const steps: StepResult[] = [];
  // The same rates with `Prefer: wait=N` on every POST, each right after its plain step.
  const earlyAnswerSteps: StepResult[] = [];
  let next = 0;
  for (const rate of options.rates) {
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
    if (!result.passed && !options.keepGoing) {
      log('step failed: stopping the steps here (--keep-going runs the rest)');
      break;
    }
  }
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
  sampler.stop();
  const leftovers = [warmup, ...steps, ...earlyAnswerSteps, loadStep].flatMap((s) => s?.unfinished ?? []);
  if (leftovers.length > 0) {
    try {
      const n = await terminateLeftovers(targets.temporal, leftovers);
      log(`terminated ${n} workflows of charges that did not complete`);
    } catch (err) {
      log(`could not terminate unfinished charges: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (completions.repeats > 0) log(`note: ${completions.repeats} repeated Kafka records (retried publishes)`);

  const results = summarise({
    runId,
    options,
    startedAt,
    problems,
    warmup,
    steps,
    earlyAnswerSteps,
    ceilings: ceilingSamples,
    duplicates,
    machine,
    workerOptions: targets.workerOptions,
    sampler,
    wholeRun: wholeUsage,
  });
  const out = path.resolve(REPO_ROOT, options.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  fs.copyFileSync(out, path.join(path.dirname(out), `${runId}.json`));
  process.stdout.write(`${formatTable(results)}\n`);
  return results.ok;
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const cleanup = new Cleanup(log);
  // SIGINT/SIGTERM run the same clean-up (children, proxy, stack parts this run started) and exit.
  onInterruptCleanup(() => cleanup.run());
  const signalled = exitOnInterrupt(log);
  let code: number;
  try {
    code = (await bench(options, cleanup)) ? 0 : 1;
  } catch (err) {
    const detail =
      err instanceof ChildFailure
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    // After a signal, failures of the processes being stopped are expected: not worth a line.
    if (signalled() === undefined) log(`failed: ${detail}`);
    code = 1;
  } finally {
    // The same promise as a signal's clean-up: never exit while it is still running.
    await cleanup.run();
  }
  const signal = signalled();
  return signal !== undefined ? exitCodeOf(signal) : code;
}

runMain('bench', main);
