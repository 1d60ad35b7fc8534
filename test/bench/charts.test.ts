/** The bench's charts: the Vega-Lite specs built from a small series, and one rendered to SVG (no timing). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSvg } from '../../bench/charts/render';
import { flashSaleSpec, latencyVsRateSpec, type LatencyStep } from '../../bench/charts/specs';
import type { SaleSecond } from '../../bench/flash-sale/figures';
import type { LatencySummary } from '../../bench/stats';

const second = (
  s: number,
  arrivals: number,
  stripe: number,
  refused: number,
  done: number,
  backlog: number,
): SaleSecond => ({
  second: s,
  arrivals,
  stripe_requests: stripe,
  stripe_accepted: stripe - refused,
  stripe_429: refused,
  completions: done,
  failures: 0,
  backlog,
});

function sale() {
  return flashSaleSpec({
    title: 'Flash sale: 80 charges at 40/s against a limit of 25/s',
    subtitle: ['one line', 'another'],
    stripeLimitPerS: 25,
    paths: [
      { name: 'durable', per_second: [second(0, 40, 40, 15, 20, 20), second(1, 40, 20, 0, 20, 40)] },
      { name: 'direct', per_second: [{ ...second(0, 40, 40, 15, 25, 0), failures: 15 }] },
    ],
  });
}

const latency = (p50: number | null, p99: number | null): LatencySummary => ({
  count: p50 === null ? 0 : 10,
  p50,
  p90: p99,
  p99,
  max: p99,
  mean: p50,
});

function step(rate: number, passed: boolean, e2eP99: number | null): LatencyStep {
  return {
    offered_per_s: rate,
    passed,
    latency_ms: {
      post_charge: latency(5, 15),
      payment_intent_wait: latency(1, 2),
      webhook: latency(4, 12),
      end_to_end: latency(30, e2eP99),
      end_to_end_record_ts: latency(29, 60),
    },
  };
}

describe('the flash sale chart', () => {
  it('puts the four per-second series of each path side by side, with the backlog and the failures below, each second closed', () => {
    const spec = sale() as unknown as {
      vconcat: Array<{ data: { values: Array<Record<string, unknown>> }; facet: unknown }>;
    };
    const [rates, orders] = spec.vconcat;
    // (2 seconds + the closing one) x 4 series for durable, (1 + 1) x 4 for direct.
    assert.equal(rates?.data.values.length, 3 * 4 + 2 * 4);
    assert.deepEqual(
      rates?.data.values
        .filter((v) => v['path'] === 'durable' && v['series'] === 'Stripe 429s')
        .map((v) => v['value']),
      [15, 0, 0],
    );
    assert.deepEqual(
      orders?.data.values.filter((v) => v['path'] === 'durable').map((v) => [v['second'], v['value']]),
      [
        [0, 20],
        [0, 0],
        [1, 40],
        [1, 0],
        [2, 40],
        [2, 0],
      ],
    );
    // The direct path's failures add up: 15 refused in its one second.
    assert.deepEqual(
      orders?.data.values
        .filter((v) => v['path'] === 'direct' && v['series'] !== undefined)
        .map((v) => v['value']),
      [0, 15, 0, 15],
    );
  });

  it("renders to an SVG that names Stripe's limit and the series", async () => {
    const svg = await renderSvg(sale());
    assert.match(svg, /^<svg /);
    assert.match(svg, /Stripe&#39;s limit: 25\/s|Stripe's limit: 25\/s/);
    for (const name of [
      'orders arriving',
      'Stripe requests',
      'Stripe 429s',
      'completions (Kafka)',
      'backlog (sent, not finished)',
      'failed so far (lost unless retried)',
    ])
      assert.ok(svg.includes(name), name);
  });
});

describe('the latency-vs-rate chart', () => {
  it('has one point per step and series, in rate order, marks failed steps, and draws the ceiling and the sustained rate', () => {
    const spec = latencyVsRateSpec({
      title: 't',
      subtitle: ['s'],
      steps: [step(30, false, 9000), step(10, true, 70), step(20, true, null)],
      noopCeilingPerS: 70,
      sustainedPerS: 20,
    }) as unknown as { layer: Array<{ data: { values: Array<Record<string, unknown>> } }> };
    const points = spec.layer[0]?.data.values ?? [];
    // 5 series a step, less the step whose end-to-end p99 has no samples.
    assert.equal(points.length, 3 * 5 - 1);
    assert.deepEqual(
      points.filter((p) => p['series'] === 'end to end p99').map((p) => [p['rate'], p['ms'], p['step']]),
      [
        [10, 70, 'passed'],
        [30, 9000, 'failed'],
      ],
    );
    assert.deepEqual(
      spec.layer[2]?.data.values.map((r) => r['label']),
      ['no-op workflow ceiling 70/s', 'sustained 20/s'],
    );
  });
});
