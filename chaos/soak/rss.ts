/** Resident memory of a process, from /proc/<pid>/status (Linux). */
import fs from 'node:fs';

export function rssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  /** Seconds since the run began. */
  readonly t: number;
  /** Seconds since this process started. */
  readonly age: number;
  readonly role: string;
  readonly pid: number;
  readonly mb: number;
}

export interface RssTrend {
  readonly series: string;
  readonly samples: number;
  readonly baselineMb: number;
  readonly finalMb: number;
  readonly peakMb: number;
  readonly growthPercent: number;
  readonly flat: boolean;
}

/**
 * Growth of each process's RSS from its first sample after its warm-up (by the process's age) to its
 * last one; flat when it stays within `tolerance`. A series with fewer than two samples after warm-up is not judged.
 */
export function rssTrends(
  samples: readonly RssSample[],
  warmupSeconds: (role: string) => number,
  tolerance: number,
): RssTrend[] {
  const series = new Map<string, RssSample[]>();
  for (const s of samples) {
    const key = `${s.role} (pid ${s.pid})`;
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  const trends: RssTrend[] = [];
  for (const [name, all] of series) {
    const settled = all.filter((s) => s.age >= warmupSeconds(s.role));
    const baseline = settled[0];
    const final = settled[settled.length - 1];
    if (!baseline || !final || settled.length < 2) continue;
    const growth = (final.mb - baseline.mb) / baseline.mb;
    trends.push({
      series: name,
      samples: settled.length,
      baselineMb: baseline.mb,
      finalMb: final.mb,
      peakMb: Math.max(...settled.map((s) => s.mb)),
      growthPercent: Math.round(growth * 1000) / 10,
      flat: growth <= tolerance,
    });
  }
  return trends;
}
