/**
 * The worker's SDK task latencies per step (where the time goes: waiting for a worker vs running),
 * from two scrapes of the worker's /metrics: the difference of cumulative histogram buckets, summed
 * over labels. Quantiles are bucket upper bounds (src/observability/temporal-sdk-metrics.ts sets
 * the bounds, from 1 ms).
 */
import { SDK_LATENCY_HISTOGRAMS } from '../src/observability/temporal-sdk-metrics';

export type SdkHistogramName = (typeof SDK_LATENCY_HISTOGRAMS)[number];

/** Cumulative count per bucket bound (`le`, Infinity for +Inf), per histogram. */
export type HistogramSnapshot = Partial<Record<SdkHistogramName, Map<number, number>>>;

export interface BucketQuantiles {
  readonly count: number;
  /**
   * The smallest bucket bound holding half / 99 % of the samples; null when there were none, or when
   * the quantile lies past the last finite bound.
   */
  readonly p50_le_ms: number | null;
  readonly p99_le_ms: number | null;
}

export function parseSdkHistograms(text: string): HistogramSnapshot {
  const snapshot: HistogramSnapshot = {};
  const line = /^temporal_([a-z_]+)_bucket\{([^}]*)\} (\S+)$/gm;
  for (const [, name, labels, value] of text.matchAll(line)) {
    if (!(SDK_LATENCY_HISTOGRAMS as readonly string[]).includes(name ?? '')) continue;
    const le = /(?:^|,)le="([^"]+)"/.exec(labels ?? '')?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    const buckets = (snapshot[name as SdkHistogramName] ??= new Map());
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(value));
  }
  return snapshot;
}

export function quantilesBetween(
  before: HistogramSnapshot,
  after: HistogramSnapshot,
): Record<SdkHistogramName, BucketQuantiles> {
  const result = {} as Record<SdkHistogramName, BucketQuantiles>;
  for (const name of SDK_LATENCY_HISTOGRAMS) {
    const end = after[name] ?? new Map<number, number>();
    const start = before[name] ?? new Map<number, number>();
    const cumulative = [...end.entries()]
      .map(([bound, count]) => [bound, count - (start.get(bound) ?? 0)] as const)
      .sort(([a], [b]) => a - b);
    const count = cumulative.at(-1)?.[1] ?? 0;
    const at = (q: number): number | null => {
      if (count <= 0) return null;
      const hit = cumulative.find(([, c]) => c >= q * count);
      return hit === undefined || hit[0] === Infinity ? null : hit[0];
    };
    result[name] = { count, p50_le_ms: at(0.5), p99_le_ms: at(0.99) };
  }
  return result;
}
