/**
 * The three roles deployed as separate processes against one stack and one task queue, with a
 * supervisor's habits: a role that dies by itself is recorded (that is a finding) and started again;
 * the worker can be crashed (SIGKILL) or rolled (new one up, old one SIGTERMed) on purpose.
 */
import path from 'node:path';
import type { StackAddresses } from '../../test/support/stack';
import { endRole, spawnRole, type RoleName, type RoleProcess } from './roles';

export const CHAOS_API_TOKEN = 'chaos-api-token-0123456789abcdef';
export const CHAOS_WEBHOOK_SECRET = 'whsec_chaos_current';
export const CHAOS_PREVIOUS_WEBHOOK_SECRET = 'whsec_chaos_previous';
export const CHAOS_STRIPE_KEY = 'sk_test_chaos';

export interface DeploymentOptions {
  readonly stack: StackAddresses;
  /** Where the roles send Stripe calls: the run's private Stripe stand-in. */
  readonly stripeApiBase: string;
  readonly taskQueue: string;
  readonly logDir: string;
  readonly logLevel?: string;
  /** Extra variables for every role (e.g. worker tuning). */
  readonly env?: Record<string, string>;
}

export interface UnexpectedExit {
  readonly role: RoleName;
  readonly pid: number;
  readonly code: number | null;
  readonly at: string;
}

export class Deployment {
  gateway!: RoleProcess;
  receiver!: RoleProcess;
  worker!: RoleProcess;
  readonly unexpectedExits: UnexpectedExit[] = [];
  workerKills = 0;
  workerRestarts = 0;
  /** Every worker pid in order of start, for per-incarnation figures. */
  readonly workerPids: number[] = [];
  /** When each process (by pid) answered /healthz, in ms since the epoch. */
  readonly startedAt = new Map<number, number>();
  private readonly intentional = new Set<number>();
  private stopping = false;
  private spawned = 0;

  constructor(private readonly options: DeploymentOptions) {}

  get gatewayUrl(): string {
    return this.gateway.url;
  }
  get webhookUrl(): string {
    return `${this.receiver.url}/stripe/webhook`;
  }

  env(): Record<string, string> {
    const { stack, stripeApiBase, taskQueue, logLevel, env } = this.options;
    return {
      STRIPE_KEY: CHAOS_STRIPE_KEY,
      STRIPE_API_BASE: stripeApiBase,
      STRIPE_WEBHOOK_SECRET: `${CHAOS_WEBHOOK_SECRET},${CHAOS_PREVIOUS_WEBHOOK_SECRET}`,
      CHARGE_API_TOKEN: CHAOS_API_TOKEN,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      KAFKA_BROKERS: stack.kafkaBrokers,
      LOG_LEVEL: logLevel ?? 'warn',
      ...env,
    };
  }

  async start(): Promise<void> {
    [this.gateway, this.receiver, this.worker] = await Promise.all([
      this.launch('gateway'),
      this.launch('webhook-receiver'),
      this.launch('worker'),
    ]);
  }

  /** A crash: SIGKILL, nothing drains, then a new worker as a supervisor would start. */
  async crashWorker(): Promise<void> {
    const old = this.worker;
    this.intentional.add(old.pid);
    await endRole(old, 'SIGKILL');
    this.workerKills += 1;
    this.worker = await this.launch('worker');
    this.workerRestarts += 1;
  }

  /** A rolling restart: the new worker polls before the old one drains and exits. */
  async rollWorker(): Promise<void> {
    const old = this.worker;
    this.worker = await this.launch('worker');
    this.intentional.add(old.pid);
    await endRole(old, 'SIGTERM');
    this.workerRestarts += 1;
  }

  pids(): Record<'gateway' | 'webhook-receiver' | 'worker', number> {
    return { gateway: this.gateway.pid, 'webhook-receiver': this.receiver.pid, worker: this.worker.pid };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const running = [this.gateway, this.receiver, this.worker].filter(
      (r): r is RoleProcess => r !== undefined,
    );
    await Promise.all(
      running.map(async (role) => {
        const timer = setTimeout(() => role.child.kill('SIGKILL'), 40_000);
        await endRole(role, 'SIGTERM');
        clearTimeout(timer);
      }),
    );
  }

  private async launch(role: 'gateway' | 'webhook-receiver' | 'worker'): Promise<RoleProcess> {
    this.spawned += 1;
    const file = path.join(this.options.logDir, `${role}-${this.spawned}.log`);
    const proc = await spawnRole(role, this.env(), file);
    this.startedAt.set(proc.pid, Date.now());
    if (role === 'worker') this.workerPids.push(proc.pid);
    void proc.exited.then((code) => this.onExit(proc, code));
    return proc;
  }

  /** A role that exits when nobody asked it to is a finding; it is restarted so the run goes on. */
  private async onExit(proc: RoleProcess, code: number | null): Promise<void> {
    if (this.stopping || this.intentional.has(proc.pid)) return;
    this.unexpectedExits.push({ role: proc.role, pid: proc.pid, code, at: new Date().toISOString() });
    const role = proc.role as 'gateway' | 'webhook-receiver' | 'worker';
    let replacement: RoleProcess;
    try {
      replacement = await this.launch(role);
    } catch (err) {
      this.unexpectedExits.push({ role, pid: -1, code: null, at: `restart failed: ${String(err)}` });
      return;
    }
    if (role === 'gateway') this.gateway = replacement;
    else if (role === 'webhook-receiver') this.receiver = replacement;
    else this.worker = replacement;
  }
}
