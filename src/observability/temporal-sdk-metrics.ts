/**
 * Bucket bounds (ms) for the SDK's task latencies. Its defaults start at 100 ms for schedule-to-start,
 * which hides a backlog until it is already a tenth of a second: healthy values here are single-digit
 * milliseconds, so the buckets start at 1 ms.
 */
export const SDK_LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 60000];

/** The SDK's histograms that get SDK_LATENCY_BUCKETS_MS (names without the `temporal_` prefix). */
export const SDK_LATENCY_HISTOGRAMS = [
  'workflow_task_schedule_to_start_latency',
  'workflow_task_execution_latency',
  'activity_schedule_to_start_latency',
  'activity_execution_latency',
] as const;

/**
 * The SDK's counters an alert reads (names without the `temporal_` prefix; the SDK's exporter adds
 * no `_total`). `workflow_task_execution_failed` carries `failure_reason`, `NonDeterminismError`
 * when a history does not replay; the SDK creates it on the first failure, so /metrics shows it
 * only after one.
 */
export const SDK_ALERTED_COUNTERS = ['workflow_task_execution_failed'] as const;

export function sdkHistogramBucketOverrides(): Record<string, number[]> {
  return Object.fromEntries(SDK_LATENCY_HISTOGRAMS.map((name) => [name, [...SDK_LATENCY_BUCKETS_MS]]));
}

/**
 * The Temporal SDK exports its worker metrics (schedule-to-start and task latencies, slots, sticky
 * cache) from its own Prometheus endpoint. It is bound to loopback on a free port and folded into
 * the worker's /metrics, so one scrape target shows both ours and the SDK's.
 */
export function sdkMetricsReader(bindAddress: string): () => Promise<string> {
  const url = `http://${bindAddress}/metrics`;
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.text() : '';
    } catch {
      // The SDK's exporter not answering must not take our own metrics down with it.
      return '';
    }
  };
}
