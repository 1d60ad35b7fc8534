/**
 * The bench's two pictures as Vega-Lite specs, built from a run's figures (pure: render.ts turns a
 * spec into SVG). The flash sale: per second, arrivals, Stripe requests, 429s and completions over
 * Stripe's limit, and the backlog below, the durable path beside the direct one. The stepped run:
 * latency against the offered arrival rate, failed steps marked, the no-op-workflow ceiling and the
 * sustained rate as rules.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SaleSecond } from '../flash-sale/figures';
import type { StepFigures } from '../results';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const RATE_SERIES = [
  { key: 'arrivals', title: 'orders arriving', color: '#4c78a8' },
  { key: 'stripe_requests', title: 'Stripe requests', color: '#f58518' },
  { key: 'stripe_429', title: 'Stripe 429s', color: '#e45756' },
  { key: 'completions', title: 'completions (Kafka)', color: '#54a24b' },
] as const satisfies ReadonlyArray<{ key: keyof SaleSecond; title: string; color: string }>;

function zeroRates(second: number): SaleSecond {
  return {
    second,
    arrivals: 0,
    stripe_requests: 0,
    stripe_accepted: 0,
    stripe_429: 0,
    completions: 0,
    failures: 0,
    backlog: 0,
  };
}

const BACKLOG = 'backlog (sent, not finished)';
const FAILED = 'failed so far (lost unless retried)';

export interface SalePathSeries {
  /** Column title, e.g. "durable: gateway → Temporal → worker". */
  readonly name: string;
  readonly per_second: readonly SaleSecond[];
}

export function flashSaleSpec(args: {
  title: string;
  /** One line each. */
  subtitle: string[];
  stripeLimitPerS: number;
  paths: readonly SalePathSeries[];
}): TopLevelSpec {
  // Drawn as steps from each second's start; one more point per path closes the last second (the
  // rates drop to 0 once the sale is over; the backlog stays where it ended).
  const closed = (p: SalePathSeries) => {
    const last = p.per_second.at(-1);
    return last === undefined ? [] : [{ ...zeroRates(last.second + 1), backlog: last.backlog }];
  };
  const rates = args.paths.flatMap((p) =>
    [...p.per_second, ...closed(p)].flatMap((s) =>
      RATE_SERIES.map((series) => ({
        path: p.name,
        second: s.second,
        series: series.title,
        value: s[series.key],
      })),
    ),
  );
  // Below: the orders waiting (durable: in Temporal, direct: in flight) and those already failed,
  // which on the direct path are Stripe's 429s passed on: lost unless the dispatcher retries them.
  const orders = args.paths.flatMap((p) => {
    let failed = 0;
    return [...p.per_second, ...closed(p)].flatMap((s) => {
      failed += s.failures;
      return [
        { path: p.name, second: s.second, series: BACKLOG, value: s.backlog },
        { path: p.name, second: s.second, series: FAILED, value: failed },
      ];
    });
  });
  const order = args.paths.map((p) => p.name);
  const first = RATE_SERIES[0].title;
  const seconds = { field: 'second', type: 'quantitative', title: 'seconds since the sale opened' } as const;
  return {
    $schema: SCHEMA,
    title: { text: args.title, subtitle: args.subtitle, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
    resolve: { scale: { x: 'shared', color: 'independent' }, legend: { color: 'independent' } },
    vconcat: [
      {
        data: { values: rates },
        facet: { column: { field: 'path', type: 'nominal', title: null, sort: order } },
        spec: {
          width: 420,
          height: 220,
          layer: [
            {
              mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
              encoding: {
                x: seconds,
                y: { field: 'value', type: 'quantitative', title: 'per second' },
                color: {
                  field: 'series',
                  type: 'nominal',
                  title: null,
                  scale: { domain: RATE_SERIES.map((s) => s.title), range: RATE_SERIES.map((s) => s.color) },
                  legend: { orient: 'top' },
                },
                // Arrivals dashed: on the direct path they lie on top of the Stripe requests.
                strokeDash: {
                  field: 'series',
                  type: 'nominal',
                  title: null,
                  scale: {
                    domain: RATE_SERIES.map((s) => s.title),
                    range: RATE_SERIES.map((s) => (s.key === 'arrivals' ? [5, 3] : [1, 0])),
                  },
                  legend: null,
                },
              },
            },
            {
              // One row per column (the facet's data has one per second and series): one rule, one label.
              transform: [
                { filter: { field: 'second', equal: 0 } },
                { filter: { field: 'series', equal: first } },
              ],
              layer: [
                {
                  mark: { type: 'rule', strokeDash: [6, 4], color: '#222' },
                  encoding: { y: { datum: args.stripeLimitPerS } },
                },
                {
                  mark: { type: 'text', align: 'right', dy: -6, color: '#222', fontSize: 10 },
                  encoding: {
                    x: { value: 416 },
                    y: { datum: args.stripeLimitPerS },
                    text: { value: `Stripe's limit: ${args.stripeLimitPerS}/s` },
                  },
                },
              ],
            },
          ],
        },
      },
      {
        data: { values: orders },
        facet: { column: { field: 'path', type: 'nominal', title: null, sort: order, header: null } },
        spec: {
          width: 420,
          height: 140,
          encoding: {
            x: seconds,
            y: { field: 'value', type: 'quantitative', title: 'orders' },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: { domain: [BACKLOG, FAILED], range: ['#9d755d', '#e45756'] },
              legend: { orient: 'top', labelLimit: 400 },
            },
          },
          layer: [
            {
              transform: [{ filter: { field: 'series', equal: BACKLOG } }],
              mark: { type: 'area', interpolate: 'step-after', opacity: 0.6 },
            },
            {
              transform: [{ filter: { field: 'series', equal: FAILED } }],
              mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
            },
          ],
        },
      },
    ],
  };
}

export type LatencyStep = Pick<StepFigures, 'offered_per_s' | 'passed' | 'latency_ms'>;

const LATENCY_SERIES = [
  { title: 'POST /charge p50', pick: (s: LatencyStep) => s.latency_ms.post_charge.p50 },
  { title: 'POST /charge p99', pick: (s: LatencyStep) => s.latency_ms.post_charge.p99 },
  { title: 'webhook p99', pick: (s: LatencyStep) => s.latency_ms.webhook.p99 },
  { title: 'end to end p50', pick: (s: LatencyStep) => s.latency_ms.end_to_end.p50 },
  { title: 'end to end p99', pick: (s: LatencyStep) => s.latency_ms.end_to_end.p99 },
] as const;

export function latencyVsRateSpec(args: {
  title: string;
  /** One line each. */
  subtitle: string[];
  steps: readonly LatencyStep[];
  noopCeilingPerS: number | null;
  sustainedPerS: number | null;
}): TopLevelSpec {
  const points = [...args.steps]
    .sort((a, b) => a.offered_per_s - b.offered_per_s)
    .flatMap((step) =>
      LATENCY_SERIES.flatMap((series) => {
        const ms = series.pick(step);
        // A log scale has no place for 0 (or for a step without samples).
        return ms === null
          ? []
          : [
              {
                rate: step.offered_per_s,
                series: series.title,
                ms: Math.max(ms, 0.1),
                step: step.passed ? 'passed' : 'failed',
              },
            ];
      }),
    );
  const rules = [
    ...(args.noopCeilingPerS === null
      ? []
      : [{ rate: args.noopCeilingPerS, label: `no-op workflow ceiling ${args.noopCeilingPerS}/s` }]),
    ...(args.sustainedPerS === null
      ? []
      : [{ rate: args.sustainedPerS, label: `sustained ${args.sustainedPerS}/s` }]),
  ];
  const x = {
    field: 'rate',
    type: 'quantitative',
    title: 'offered arrival rate (charges/s)',
    scale: { zero: true },
  } as const;
  return {
    $schema: SCHEMA,
    title: { text: args.title, subtitle: args.subtitle, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
    width: 560,
    height: 320,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: false, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            sort: LATENCY_SERIES.map((s) => s.title),
            legend: { orient: 'top' },
          },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x,
          y: { field: 'ms', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', sort: LATENCY_SERIES.map((s) => s.title) },
          shape: {
            field: 'step',
            type: 'nominal',
            title: 'step',
            scale: { domain: ['passed', 'failed'], range: ['circle', 'cross'] },
            legend: { orient: 'top' },
          },
        },
      },
      {
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
        encoding: { x },
      },
      {
        data: { values: rules },
        mark: {
          type: 'text',
          angle: 270,
          align: 'right',
          baseline: 'bottom',
          dx: -4,
          dy: -2,
          fontSize: 10,
          color: '#555',
        },
        encoding: { x, y: { value: 0 }, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}
