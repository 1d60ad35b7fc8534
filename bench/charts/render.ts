/**
 * Vega-Lite spec → SVG, in Node, without a browser or a canvas: Vega-Lite compiles the spec to Vega,
 * and a headless Vega view (renderer 'none') writes the SVG. Both libraries are ES modules only, so
 * they are loaded with import() from this CommonJS project.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders `spec` and writes it to `file` (its folder created). */
export async function writeChart(file: string, spec: TopLevelSpec): Promise<void> {
  const svg = await renderSvg(spec);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, svg);
}
