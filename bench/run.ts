/**
 * `npm run bench`: starts the stack (parts not yet running) and the service as separate gateway,
 * webhook-receiver and worker processes, then measures, interleaved so machine noise hits all alike:
 * the full charge path at stepped open-model rates, the ceilings (closed loop) between the steps,
 * repeated POSTs, and CPU/RSS of every process (stepped-run.ts). Prints one table and writes
 * bench/results/latest.json and the latency-vs-rate chart. `--flash-sale` runs instead a flash sale
 * against an emulated Stripe limit, through the durable path and the direct one (flash-sale/);
 * `--smoke` runs both, shrunk. Everything it started is stopped at the end, on failure and on
 * SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ChildFailure, Children } from '../test/support/children';
import { Cleanup, exitCodeOf, exitOnInterrupt, onInterruptCleanup, runMain } from '../test/support/cleanup';
import { REPO_ROOT } from '../test/support/repo';
import { OwnedStackParts, STACK_PARTS, readStackEnv, stackDir, stackPids } from '../test/support/stack';
import { USAGE, UsageError, parseArgs, type BenchOptions } from './args';
import { startCeilingTargets } from './ceilings/measure';
import type { BenchContext } from './context';
import { runFlashSale } from './flash-sale/run';
import { DIRECT_TOPIC } from './flash-sale/sale';
import { HttpClient } from './http-client';
import { build, log } from './lifecycle';
import { CompletionWatcher } from './kafka-completions';
import { machineInfo, type MachineInfo } from './machine';
import { ProcSampler } from './proc-sampler';
import {
  FRONT_ROLE_NODE_OPTIONS,
  STEPS_STRIPE_REQUESTS_PER_SECOND,
  serviceEnv,
  startServiceProcesses,
  type ServiceProcesses,
} from './service';
import { runSteppedBench } from './stepped-run';
import { runTracingOverhead } from './tracing-overhead';
import { startOtlpReceiver, type OtlpReceiver } from '../test/support/otlp-receiver';
import { startBenchStripe, type BenchStripe } from './stripe-standin';
import { Waiters } from './waiters';

const TOPICS = ['payments.completed', 'payments.failed'];

async function bench(options: BenchOptions, cleanup: Cleanup): Promise<boolean> {
  const startedAt = new Date();
  const runId = `${startedAt.getTime().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench-${runId}-`;
  const problems: string[] = [];
  const flash = options.flashSale;
  const tracing = options.tracing;
  const what = [
    options.steps ? 'stepped run' : '',
    flash ? 'flash sale' : '',
    tracing ? 'tracing off vs on' : '',
  ]
    .filter(Boolean)
    .join(' + ');
  log(`run ${runId} (${options.smoke ? 'smoke' : 'full'}: ${what})`);

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

  // The Stripe stand-in in front of stripe-mock reports PaymentIntent ids and, during a flash sale,
  // plays Stripe's rate limit. The stepped run polls instead with --pi-lookup poll.
  const paymentIntents = new Waiters<string>();
  const stripeMock = stackEnv['STRIPE_MOCK_URL'] ?? '';
  let proxy: BenchStripe | null = null;
  if (options.piLookup === 'proxy' || flash) {
    const started = await startBenchStripe({
      stripeMock,
      logFile: path.join(REPO_ROOT, 'bench/results/logs/stripe-standin.log'),
      onPaymentIntent: (eventId, id) => paymentIntents.put(eventId, id),
    });
    cleanup.add('stripe stand-in', () => started.close());
    proxy = started;
  }
  const stepsStripeBase = options.piLookup === 'proxy' && proxy ? proxy.url : stripeMock;

  const roles = (name: string, overrides: Record<string, string>): Promise<ServiceProcesses> =>
    startServiceProcesses(
      children,
      (role, port) =>
        serviceEnv(stackEnv, {
          LOG_LEVEL: options.logLevel,
          ...(role === 'worker' ? {} : { NODE_OPTIONS: FRONT_ROLE_NODE_OPTIONS }),
          PAYMENTS_MODE: role,
          PORT: String(port),
          ...overrides,
        }),
      name,
    );
  const track = (name: string, s: ServiceProcesses): ServiceProcesses => {
    sampler.track(`${name}gateway`, s.gateway.child.pid);
    sampler.track(`${name}webhook-receiver`, s.webhook.child.pid);
    sampler.track(`${name}worker`, s.worker.child.pid);
    return s;
  };
  const startFlashRoles = (): Promise<ServiceProcesses> | null => {
    if (!flash || !proxy) return null;
    const started = roles('flash-', {
      STRIPE_API_BASE: proxy.url,
      ...(flash.workerStripeRatePerS === null
        ? {}
        : { STRIPE_MAX_REQUESTS_PER_SECOND: String(flash.workerStripeRatePerS) }),
      ...(flash.gatewayReadsPerS === null
        ? {}
        : { GATEWAY_MAX_READS_PER_SECOND: String(flash.gatewayReadsPerS) }),
      TEMPORAL_TASK_QUEUE: `bench-${runId}-flash`,
    }).then((s) => track('flash-', s));
    // Awaited later (before the sale, which then reports a failure to start), never left unhandled.
    started.catch(() => undefined);
    return started;
  };
  log(
    `starting ${
      options.steps
        ? 'gateway, webhook-receiver and worker processes, the ceiling server and worker'
        : tracing
          ? 'the ceiling server'
          : "the flash sale's gateway, webhook-receiver and worker, and the direct-charge server"
    }`,
  );
  // A flash sale alone starts its roles with everything else. A smoke starts them once the stepped
  // run's roles are up, so that they boot while the stepped run's roles are checked, and waits for
  // them before the first ceiling: booting three processes on two cores made that ceiling read 0/s.
  const early = options.steps || tracing ? null : startFlashRoles();
  const [service, targets] = await Promise.all([
    options.steps
      ? roles('', {
          STRIPE_API_BASE: stepsStripeBase,
          STRIPE_MAX_REQUESTS_PER_SECOND: STEPS_STRIPE_REQUESTS_PER_SECOND,
          TEMPORAL_TASK_QUEUE: `bench-${runId}`,
        }).then((s) => track('', s))
      : Promise.resolve(null),
    startCeilingTargets({
      children,
      sampler,
      env: (port) =>
        serviceEnv(stackEnv, {
          LOG_LEVEL: options.logLevel,
          // The direct charge of a flash sale must meet the emulated limit too.
          STRIPE_API_BASE: flash && proxy ? proxy.url : stepsStripeBase,
          PAYMENTS_MODE: 'worker',
          PORT: String(port),
          TEMPORAL_TASK_QUEUE: `bench-ceiling-${runId}`,
        }),
      temporalAddress: stackEnv['TEMPORAL_ADDRESS'] ?? '',
      namespace: stackEnv['TEMPORAL_NAMESPACE'] ?? 'default',
      taskQueue: `bench-ceiling-${runId}`,
      worker: options.steps,
    }).then((targets) => {
      cleanup.add('temporal client', () => targets.close());
      return targets;
    }),
  ]);
  // The tracing comparison: two sets of roles alike but for where their spans go.
  let tracingRoles: { off: ServiceProcesses; on: ServiceProcesses; receiver: OtlpReceiver } | null = null;
  if (tracing) {
    const receiver = await startOtlpReceiver();
    cleanup.add('OTLP receiver', () => receiver.close());
    const base = {
      STRIPE_API_BASE: stepsStripeBase,
      STRIPE_MAX_REQUESTS_PER_SECOND: STEPS_STRIPE_REQUESTS_PER_SECOND,
    };
    log('starting two sets of gateway, webhook-receiver and worker: tracing off, and tracing on');
    const [off, on] = await Promise.all([
      roles('', { ...base, TEMPORAL_TASK_QUEUE: `bench-${runId}` }).then((s) => track('', s)),
      roles('traced-', {
        ...base,
        TEMPORAL_TASK_QUEUE: `bench-${runId}-traced`,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      }).then((s) => track('traced-', s)),
    ]);
    tracingRoles = { off, on, receiver };
  }
  const flashRoles = early ?? startFlashRoles();
  if (early) await early;
  else if (flashRoles) {
    log("starting the flash sale's gateway, webhook-receiver and worker");
    // A failure to start is reported by the flash sale, which awaits them again.
    await flashRoles.catch(() => undefined);
  }

  const completions = await CompletionWatcher.start(
    (stackEnv['KAFKA_BROKERS'] ?? '').split(','),
    flash ? [...TOPICS, DIRECT_TOPIC] : TOPICS,
    prefix,
  );
  cleanup.add('kafka consumer', () => completions.stop());

  let machine: MachineInfo | null = null;
  try {
    machine = await machineInfo(stackDir(), targets.temporal);
  } catch (err) {
    problems.push(`machine info: ${err instanceof Error ? err.message : String(err)}`);
  }

  const ctx: BenchContext = {
    runId,
    prefix,
    options,
    startedAt,
    problems,
    http,
    sampler,
    children,
    targets,
    completions,
    proxy,
    paymentIntents,
    machine,
  };
  sampler.start();
  let ok = true;
  try {
    if (service) ok = (await runSteppedBench(ctx, service)) && ok;
    if (flashRoles) ok = (await runFlashSale(ctx, await flashRoles)) && ok;
    if (tracing && tracingRoles) {
      const { off, on, receiver } = tracingRoles;
      ok = (await runTracingOverhead(ctx, tracing, off, on, receiver)) && ok;
    }
  } finally {
    sampler.stop();
  }
  return ok;
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
  // SIGINT/SIGTERM run the same clean-up (children, Stripe stand-in, stack parts this run started) and exit.
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
