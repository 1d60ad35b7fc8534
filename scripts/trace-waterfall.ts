/**
 * A trace as Jaeger's query API returns it (GET /api/traces/:id), drawn as a waterfall in SVG: one
 * row per span in call order (each child under its parent), its bar placed on the trace's time axis,
 * labelled with the span's name, its process and its duration. Pure: JSON in, SVG text out.
 */

/** The part of Jaeger's /api/traces answer drawn here. */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: ReadonlyArray<{
    readonly spanID: string;
    readonly operationName: string;
    readonly references?: ReadonlyArray<{ readonly refType: string; readonly spanID: string }>;
    /** Microseconds since the epoch. */
    readonly startTime: number;
    /** Microseconds. */
    readonly duration: number;
    readonly processID: string;
  }>;
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

export interface WaterfallRow {
  readonly depth: number;
  readonly name: string;
  readonly service: string;
  /** Milliseconds from the trace's first span. */
  readonly startMs: number;
  readonly durationMs: number;
}

/** The spans in call order: a depth-first walk from the roots, siblings by start time. */
export function waterfallRows(trace: JaegerTrace): WaterfallRow[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (span: JaegerTrace['spans'][number]): string | undefined =>
    span.references?.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
  const byStart = [...trace.spans].sort((a, b) => a.startTime - b.startTime);
  const origin = byStart[0]?.startTime ?? 0;
  const children = new Map<string | undefined, typeof byStart>();
  for (const span of byStart) {
    const parent = parentOf(span);
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: WaterfallRow[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const span of children.get(parent) ?? []) {
      rows.push({
        depth,
        name: span.operationName,
        service: trace.processes[span.processID]?.serviceName ?? span.processID,
        startMs: (span.startTime - origin) / 1000,
        durationMs: span.duration / 1000,
      });
      walk(span.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return rows;
}

const ROW = 22;
/** Title, then the time axis's ends, then the rows. */
const TOP = 46;
const LABEL = 430;
const BARS = 560;
const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

export function waterfallSvg(trace: JaegerTrace, title: string): string {
  const rows = waterfallRows(trace);
  const totalMs = Math.max(...rows.map((r) => r.startMs + r.durationMs), 1);
  const height = TOP + rows.length * ROW + 20;
  const width = LABEL + BARS + 80;
  const x = (t: number): number => LABEL + (t / totalMs) * BARS;
  const lines = rows.map((row, i) => {
    const y = TOP + i * ROW;
    const barWidth = Math.max((row.durationMs / totalMs) * BARS, 1.5);
    return [
      `<text x="${8 + row.depth * 14}" y="${y + 15}" font-size="12">${escape(row.name)}</text>`,
      `<rect x="${x(row.startMs).toFixed(1)}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="14" fill="#4c78a8" rx="2"/>`,
      `<text x="${(x(row.startMs) + barWidth + 4).toFixed(1)}" y="${y + 15}" font-size="11" fill="#555">${ms(row.durationMs)} ms</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${LABEL}" y="40" font-size="11" fill="#555">0 ms</text>`,
    `<text x="${LABEL + BARS}" y="40" font-size="11" fill="#555" text-anchor="end">${ms(totalMs)} ms</text>`,
    ...lines,
    `</svg>`,
    '',
  ].join('\n');
}
