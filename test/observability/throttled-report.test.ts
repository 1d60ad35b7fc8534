/** A repeating failure is reported once per interval: the first at once, the next an interval after it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttledReport } from '../../src/observability/throttled-report';

describe('throttledReport', () => {
  it('reports the first failure at once and the next only an interval after the last report', () => {
    let now = 1_000;
    const reported: unknown[] = [];
    const report = throttledReport(
      (err) => reported.push(err),
      60_000,
      () => now,
    );
    for (const at of [1_000, 2_000, 60_999, 61_000, 61_500, 121_000]) {
      now = at;
      report(`failed at ${at}`);
    }
    assert.deepEqual(reported, ['failed at 1000', 'failed at 61000', 'failed at 121000']);
  });
});
