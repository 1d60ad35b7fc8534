/**
 * The routes a Fastify app really serves, read from its router (`printRoutes`), independently of
 * @fastify/swagger, so a document can be compared with them. Each parsed route is checked back
 * with `app.hasRoute`, so a change in the tree's format fails loudly instead of hiding routes.
 */
import type { FastifyInstance } from 'fastify';

export interface AppRoute {
  readonly method: string;
  /** Fastify's form: `/charges/:event_id`, `/docs/*`. */
  readonly url: string;
}

const LINE = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/;

export function appRoutes(app: FastifyInstance): AppRoute[] {
  const tree = app.printRoutes();
  const prefixes: string[] = [];
  const routes: AppRoute[] = [];
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`unexpected line in printRoutes output: ${JSON.stringify(line)}`);
    const depth = (match[1] ?? '').length / 4;
    const url = (depth === 0 ? '' : (prefixes[depth - 1] ?? '')) + (match[2] ?? '');
    prefixes[depth] = url;
    prefixes.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url });
  }
  for (const route of routes) {
    if (!app.hasRoute({ method: route.method, url: route.url })) {
      throw new Error(`printRoutes listed ${route.method} ${route.url}, which the app does not have`);
    }
  }
  if (routes.length === 0) throw new Error('printRoutes listed no route');
  return routes;
}

/** `/charges/:event_id` → `/charges/{event_id}`, as OpenAPI writes path parameters. */
export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
