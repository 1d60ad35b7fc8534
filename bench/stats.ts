/**
 * Latency samples kept whole (a bench run holds at most some tens of thousands), so percentiles are
 * exact rather than bucketed.
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

export class Samples {
  private readonly values: number[] = [];
  private sorted: number[] | undefined;

  add(value: number): void {
    this.values.push(value);
    this.sorted = undefined;
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile, p in [0, 100]; null without samples. */
  percentile(p: number): number | null {
    if (this.values.length === 0) return null;
    this.sorted ??= [...this.values].sort((a, b) => a - b);
    const rank = Math.min(this.sorted.length, Math.max(1, Math.ceil((p / 100) * this.sorted.length)));
    return this.sorted[rank - 1] ?? null;
  }

  max(): number | null {
    return this.percentile(100);
  }

  summary(): LatencySummary {
    const n = this.values.length;
    const mean = n === 0 ? null : this.values.reduce((a, b) => a + b, 0) / n;
    return {
      count: n,
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      max: ms(this.max()),
      mean: ms(mean),
    };
  }
}

/** Milliseconds to 0.1 ms. */
export function ms(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Counts of error kinds, e.g. {"post_503": 2, "webhook_timeout": 1}. */
export class ErrorCounts {
  readonly counts: Record<string, number> = {};
  add(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }
  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}
