/**
 * The trace picture (npm run trace:picture): spans drawn in call order, each child under its
 * parent, placed on the trace's own time axis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waterfallRows, waterfallSvg, type JaegerTrace } from '../../scripts/trace-waterfall';

const T0 = 1_800_000_000_000_000;
const trace: JaegerTrace = {
  traceID: 'a'.repeat(32),
  processes: { p1: { serviceName: 'payments-service' } },
  spans: [
    // Out of order, as Jaeger may list them.
    {
      spanID: 's3',
      operationName: 'publish payments.completed',
      references: [{ refType: 'CHILD_OF', spanID: 's2' }],
      startTime: T0 + 80_000,
      duration: 5_000,
      processID: 'p1',
    },
    {
      spanID: 's2',
      operationName: 'RunWorkflow:ChargeWorkflow',
      references: [{ refType: 'CHILD_OF', spanID: 's1' }],
      startTime: T0 + 10_000,
      duration: 90_000,
      processID: 'p1',
    },
    { spanID: 's1', operationName: 'POST /charge', startTime: T0, duration: 12_000, processID: 'p1' },
    {
      spanID: 's4',
      operationName: 'webhook payment_intent.succeeded',
      references: [{ refType: 'FOLLOWS_FROM', spanID: 's1' }],
      startTime: T0 + 50_000,
      duration: 3_000,
      processID: 'p1',
    },
  ],
};

describe('the trace waterfall', () => {
  it('lists spans depth first from the roots, children under their parent, siblings by start', () => {
    assert.deepEqual(
      waterfallRows(trace).map((r) => [r.depth, r.name, r.startMs, r.durationMs]),
      [
        [0, 'POST /charge', 0, 12],
        [1, 'RunWorkflow:ChargeWorkflow', 10, 90],
        [2, 'publish payments.completed', 80, 5],
        // Only CHILD_OF makes a parent: a linked span is a root of its own.
        [0, 'webhook payment_intent.succeeded', 50, 3],
      ],
    );
  });

  it('draws one labelled bar per span on the trace time axis, names escaped', () => {
    const svg = waterfallSvg(
      { ...trace, spans: [...trace.spans, { ...trace.spans[2]!, spanID: 's5', operationName: 'a<b>&c' }] },
      'One charge',
    );
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 5);
    assert.ok(svg.includes('a&lt;b&gt;&amp;c'));
    assert.ok(svg.includes('>100 ms</text>'), 'the axis ends at the last span end');
    assert.ok(svg.indexOf('POST /charge') < svg.indexOf('RunWorkflow:ChargeWorkflow'));
  });
});
