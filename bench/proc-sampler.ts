/**
 * CPU seconds and peak RSS of named processes, from /proc: utime+stime of /proc/<pid>/stat, VmRSS
 * sampled every few hundred ms (peak per phase) and VmHWM of /proc/<pid>/status (peak of the
 * process's whole life, so for a stack part started before the bench it may predate the run).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const CLOCK_TICKS = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcReading {
  readonly cpuSeconds: number;
  readonly rssKb: number;
  readonly hwmKb: number;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / CLOCK_TICKS, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface ProcessUsage {
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
}

export type PhaseUsage = Record<string, ProcessUsage>;

interface OpenPhase {
  readonly startCpu: Map<string, number>;
  readonly peakKb: Map<string, number>;
}

const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

export class ProcSampler {
  private readonly pids = new Map<string, number>();
  private readonly lastCpu = new Map<string, number>();
  private readonly runPeakKb = new Map<string, number>();
  private readonly hwmKb = new Map<string, number>();
  private readonly open = new Set<OpenPhase>();
  private timer: NodeJS.Timeout | undefined;

  track(name: string, pid: number): void {
    this.pids.set(name, pid);
    this.sample();
  }

  names(): string[] {
    return [...this.pids.keys()];
  }

  start(intervalMs = 250): void {
    this.timer ??= setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  beginPhase(): OpenPhase {
    this.sample();
    const phase: OpenPhase = { startCpu: new Map(this.lastCpu), peakKb: new Map() };
    this.open.add(phase);
    return phase;
  }

  endPhase(phase: OpenPhase): PhaseUsage {
    this.sample();
    this.open.delete(phase);
    const usage: PhaseUsage = {};
    for (const name of this.pids.keys()) {
      const start = phase.startCpu.get(name);
      const end = this.lastCpu.get(name);
      if (start === undefined || end === undefined) continue;
      usage[name] = {
        cpu_s: Math.round((end - start) * 100) / 100,
        peak_rss_mb: mb(phase.peakKb.get(name) ?? 0),
      };
    }
    return usage;
  }

  /** Peak sampled RSS over the whole run and VmHWM, per process, in MB. */
  peaks(): Record<string, { peak_rss_mb: number; vm_hwm_mb: number }> {
    this.sample();
    return Object.fromEntries(
      [...this.pids.keys()].map((name) => [
        name,
        { peak_rss_mb: mb(this.runPeakKb.get(name) ?? 0), vm_hwm_mb: mb(this.hwmKb.get(name) ?? 0) },
      ]),
    );
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      const reading = readProc(pid);
      if (!reading) continue;
      this.lastCpu.set(name, reading.cpuSeconds);
      this.hwmKb.set(name, reading.hwmKb);
      this.runPeakKb.set(name, Math.max(this.runPeakKb.get(name) ?? 0, reading.rssKb));
      for (const phase of this.open) {
        phase.peakKb.set(name, Math.max(phase.peakKb.get(name) ?? 0, reading.rssKb));
      }
    }
  }
}
