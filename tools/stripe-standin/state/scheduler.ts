/**
 * What happens later at a bank: a processing payment completes, a dispute is opened, a refund fails.
 * Tasks are plain data (kept in the state file, so a restart resumes them) run by one timer.
 */

export type TaskKind = 'finish_processing' | 'open_dispute' | 'fail_refund';

export interface ScheduledTask {
  readonly id: number;
  readonly kind: TaskKind;
  /** The object it acts on (a PaymentIntent, a charge or a refund id). */
  readonly target: string;
  /** When it is due (ms since the epoch). */
  readonly at: number;
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly run: (task: ScheduledTask) => void,
    private readonly changed: () => void = () => {},
  ) {}

  schedule(kind: TaskKind, target: string, delayMs: number): void {
    this.tasks.push({ id: this.nextId++, kind, target, at: Date.now() + delayMs });
    this.tasks.sort((a, b) => a.at - b.at);
    this.changed();
    this.arm();
  }

  pending(): readonly ScheduledTask[] {
    return this.tasks;
  }

  /** Restores tasks from the state file; overdue ones run at once. */
  restore(tasks: readonly ScheduledTask[]): void {
    this.tasks = [...tasks].sort((a, b) => a.at - b.at);
    this.nextId = Math.max(0, ...tasks.map((t) => t.id)) + 1;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const first = this.tasks[0];
    if (this.stopped || first === undefined) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.at - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    const due = this.tasks.filter((t) => t.at <= now);
    this.tasks = this.tasks.filter((t) => t.at > now);
    for (const task of due) this.run(task);
    if (due.length > 0) this.changed();
    this.arm();
  }
}
