import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSdkHistograms, quantilesBetween } from '../../bench/sdk-metrics';

function scrape(buckets: Record<string, number>, otherQueue: Record<string, number> = {}): string {
  const lines = (queue: string, counts: Record<string, number>) =>
    Object.entries(counts).map(
      ([le, n]) =>
        `temporal_activity_schedule_to_start_latency_bucket{namespace="default",task_queue="${queue}",le="${le}"} ${n}`,
    );
  return [
    '# TYPE temporal_activity_schedule_to_start_latency histogram',
    ...lines('payments', buckets),
    ...lines('other', otherQueue),
    'temporal_request_latency_bucket{le="1"} 999',
  ].join('\n');
}

describe('SDK task latencies per step', () => {
  it('takes quantiles of what happened between two scrapes, summed over labels, as bucket bounds', () => {
    const before = parseSdkHistograms(scrape({ '1': 10, '5': 10, '50': 10, '+Inf': 10 }));
    // 100 more samples: 60 within 1 ms, 39 within 5 ms, 1 within 50 ms (split over two queues).
    const after = parseSdkHistograms(
      scrape({ '1': 60, '5': 89, '50': 90, '+Inf': 90 }, { '1': 10, '5': 20, '50': 20, '+Inf': 20 }),
    );
    const q = quantilesBetween(before, after);
    assert.deepEqual(q.activity_schedule_to_start_latency, { count: 100, p50_le_ms: 1, p99_le_ms: 5 });
    assert.deepEqual(q.workflow_task_schedule_to_start_latency, {
      count: 0,
      p50_le_ms: null,
      p99_le_ms: null,
    });
  });

  it('reports no bound when the quantile falls past the last finite bucket', () => {
    const after = parseSdkHistograms(scrape({ '1': 0, '60000': 1, '+Inf': 3 }));
    assert.deepEqual(quantilesBetween({}, after).activity_schedule_to_start_latency, {
      count: 3,
      p50_le_ms: null,
      p99_le_ms: null,
    });
  });
});
