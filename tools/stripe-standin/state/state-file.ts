/**
 * The stand-in's memory on disk (the local stack keeps it under .stack/data, like Temporal's and
 * Kafka's), so a restart of the stack does not turn live charges into unknown PaymentIntents.
 * Written a moment after each change (atomically: a new file renamed over the old), and on stop.
 * Webhook deliveries still in flight are not kept: a restart loses their retries.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IdempotencyEntry } from '../http/idempotency';
import type { ScheduledTask } from './scheduler';
import type { StoreSnapshot } from './store';

export interface StateFileContents {
  readonly version: 1;
  readonly store: StoreSnapshot;
  readonly idempotency_keys: IdempotencyEntry[];
  readonly scheduled: ScheduledTask[];
}

export class StateFile {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly contents: () => StateFileContents,
    private readonly delayMs = 200,
  ) {}

  /** What the file holds, or undefined when there is none yet. A damaged file is an error: say so. */
  read(): StateFileContents | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<StateFileContents>;
    if (parsed.version !== 1)
      throw new Error(`${this.file}: not a stripe-standin state file (version ${String(parsed.version)})`);
    return parsed as StateFileContents;
  }

  /** Writes soon; several changes in a burst make one write. */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, this.delayMs);
  }

  writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    // 0600: the file holds client_secrets and webhook signing secrets (test-mode, local ones).
    fs.writeFileSync(temporary, JSON.stringify(this.contents()), { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }
}
