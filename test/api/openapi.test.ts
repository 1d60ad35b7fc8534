/**
 * The OpenAPI document the gateway serves is the dispatcher team's contract: it must describe exactly
 * the routes the app really serves (read from Fastify's router, not from the swagger plugin), declare
 * bearer auth exactly where a token is required, carry the real request schema of POST /charge, and
 * its examples must make a request the service accepts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { appRoutes, toOpenApiPath } from '../support/app-routes';
import { buildTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Routes served on purpose without documentation: the document itself, the events' AsyncAPI document
 * beside it (test/contracts/asyncapi.test.ts) and the Swagger UI's pages.
 */
function isDocumentationRoute(url: string): boolean {
  return url === '/openapi.json' || url === '/asyncapi.json' || url === '/docs' || url.startsWith('/docs/');
}

type Json = Record<string, unknown>;

interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly tags?: string[];
  readonly security?: Array<Record<string, string[]>>;
  readonly parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Json }>;
  readonly requestBody?: {
    required?: boolean;
    content?: Record<
      string,
      { schema?: Json; example?: unknown; examples?: Record<string, { value?: unknown }> }
    >;
  };
  readonly responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}

interface OpenApiDocument {
  readonly openapi: string;
  readonly servers?: Array<{ url: string }>;
  readonly info: { title?: string; version?: string };
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { securitySchemes?: Record<string, Json> };
  readonly tags?: Array<{ name: string }>;
}

/**
 * OpenAPI 3.0 has no `examples` array on schemas, so the generator writes `example: examples[0]`;
 * 3.1 keeps `examples`. Both sides are brought to the 3.0 form before comparing.
 */
function normaliseExamples(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseExamples);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'examples' && Array.isArray(child)) {
      if (child.length > 0 && !('example' in value)) out['example'] = normaliseExamples(child[0]);
    } else {
      out[key] = normaliseExamples(child);
    }
  }
  return out;
}

/** A property's first example, in either form. */
function exampleOf(schema: Json): unknown {
  if ('example' in schema) return schema['example'];
  const examples = schema['examples'];
  return Array.isArray(examples) ? examples[0] : undefined;
}

function operations(doc: OpenApiDocument): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** A concrete URL for a documented path: each path parameter filled with a value its schema accepts. */
function concreteUrl(path: string, op: Operation): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const param = op.parameters?.find((p) => p.in === 'path' && p.name === name);
    const example = param?.schema ? exampleOf(param.schema) : undefined;
    return encodeURIComponent(typeof example === 'string' ? example : `evt-openapi-${name}`);
  });
}

describe('GET /openapi.json and /docs', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  /** The body schema each route was registered with, captured from real requests. */
  const routeBodySchemas = new Map<string, unknown>();

  before(async () => {
    t = await buildTestApp();
    t.app.addHook('onRequest', async (request) => {
      const key = `${request.method} ${request.routeOptions.url ?? ''}`;
      if (request.routeOptions.schema?.body !== undefined) {
        routeBodySchemas.set(key, request.routeOptions.schema.body);
      }
    });
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json<OpenApiDocument>();
  });
  after(() => t.app.close());

  it('is an OpenAPI 3 document with a title, a version and paths', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(doc.info.title, 'info.title');
    assert.ok(doc.info.version, 'info.version');
    assert.ok(Object.keys(doc.paths).length > 0, 'paths');
    for (const { method, path, op } of operations(doc)) {
      assert.ok(op.summary, `${method} ${path} has a summary`);
      assert.ok(op.tags && op.tags.length > 0, `${method} ${path} has a tag`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
      for (const [status, response] of Object.entries(op.responses)) {
        assert.ok(response.description, `${method} ${path} ${status} has a description`);
      }
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => {
          assert.equal(p.required, true, `path parameter ${p.name} of ${method} ${path} is required`);
          return p.name;
        })
        .sort();
      assert.deepEqual(declared, templated, `${method} ${path} declares its path parameters`);
    }
  });

  it("lists exactly the app's real routes, so a new route cannot go undocumented", () => {
    const routes = appRoutes(t.app);
    const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.url));
    const served = routes
      .filter((r) => !isDocumentationRoute(r.url))
      // Fastify answers HEAD for every GET by itself; a HEAD of its own would need documenting.
      .filter((r) => !(r.method === 'HEAD' && gets.has(r.url)))
      .map((r) => `${r.method} ${toOpenApiPath(r.url)}`)
      .sort();
    const documented = operations(doc)
      .map(({ method, path }) => `${method} ${path}`)
      .sort();
    assert.deepEqual(documented, served);
    for (const required of [
      'POST /charge',
      'GET /charges/{event_id}',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]) {
      assert.ok(documented.includes(required), `${required} is documented`);
    }
    assert.ok(
      routes.some((r) => r.url === '/openapi.json') && !doc.paths['/openapi.json'],
      'the document route is served but not listed',
    );
  });

  it('declares bearer auth on exactly the operations that answer 401 without a token', async () => {
    assert.deepEqual(doc.components?.securitySchemes?.['bearerAuth'], { type: 'http', scheme: 'bearer' });
    assert.deepEqual(doc.paths['/charge']?.['post']?.security, [{ bearerAuth: [] }]);
    assert.deepEqual(doc.paths['/charges/{event_id}']?.['get']?.security, [{ bearerAuth: [] }]);
    for (const { method, path, op } of operations(doc)) {
      const res = await t.app.inject({
        method: method as 'GET',
        url: concreteUrl(path, op),
        ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }),
      });
      const declared = (op.security ?? []).some((requirement) => 'bearerAuth' in requirement);
      assert.equal(
        declared,
        res.statusCode === 401,
        `${method} ${path}: answered ${res.statusCode} without a token, but security is ${JSON.stringify(op.security)}`,
      );
      if (declared) assert.ok(op.responses?.['401'], `${method} ${path} documents its 401`);
    }
  });

  it('carries the request body schema POST /charge validates with', async () => {
    const media = doc.paths['/charge']?.['post']?.requestBody?.content?.['application/json'];
    assert.ok(media?.schema, 'POST /charge documents an application/json body');
    assert.equal(doc.paths['/charge']?.['post']?.requestBody?.required, true);

    const res = await t.app.inject({ method: 'POST', url: '/charge', headers: auth, payload: {} });
    assert.equal(res.statusCode, 400);
    const routeSchema = routeBodySchemas.get('POST /charge');
    assert.ok(routeSchema, 'the route was registered with a body schema');
    // A whole-request example on the body schema is moved by the generator to the media type.
    const { example: rootExample, ...documented } = normaliseExamples(media.schema) as Json;
    const { example: routeExample, ...registered } = normaliseExamples(routeSchema) as Json;
    assert.deepEqual(documented, registered);
    assert.equal(rootExample, undefined, 'no request example left on the schema itself');
    if (routeExample !== undefined) {
      const mediaExamples = [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value)];
      assert.ok(
        mediaExamples.some((e) => isDeepStrictEqual(e, routeExample)),
        "the route's request example is the media type's example",
      );
    }
  });

  it("assembles a request from the document's examples that POST /charge accepts with 202", async () => {
    const media = doc.paths['/charge']?.['post']?.requestBody?.content?.['application/json'];
    const schema = media?.schema as { required?: string[]; properties?: Record<string, Json> } | undefined;
    assert.ok(schema?.properties, 'the body schema has properties');
    const body: Json = {};
    for (const [name, property] of Object.entries(schema.properties)) {
      const example = exampleOf(property);
      if (example !== undefined) body[name] = example;
    }
    for (const name of schema.required ?? []) {
      assert.ok(name in body, `required field ${name} has an example`);
    }
    const candidates: Array<{ what: string; body: unknown }> = [{ what: 'property examples', body }];
    // A whole-request example at the media-type level, when the document has one.
    if (media?.example !== undefined) candidates.push({ what: 'media example', body: media.example });
    for (const [name, example] of Object.entries(media?.examples ?? {})) {
      candidates.push({ what: `media example ${name}`, body: example.value });
    }

    for (const candidate of candidates) {
      // The document's occurred_at is a fixed date, which ages past the dedupe window (422
      // event_too_old) a week after it was written: the request dates its event now, as a live one is.
      if (typeof candidate.body === 'object' && candidate.body !== null && 'occurred_at' in candidate.body) {
        candidate.body = { ...candidate.body, occurred_at: new Date().toISOString() };
      }
      // A fresh app per example: the examples may share an event_id, and each must start a charge.
      const fresh = await buildTestApp();
      try {
        const res = await fresh.app.inject({
          method: 'POST',
          url: '/charge',
          headers: auth,
          payload: candidate.body as Json,
        });
        assert.equal(res.statusCode, 202, `${candidate.what} ${JSON.stringify(candidate.body)}: ${res.body}`);
        assert.equal(res.json<Json>()['duplicate'], false);
        assert.equal(fresh.charges.started.length, 1);
      } finally {
        await fresh.app.close();
      }
    }
  });

  it('names an operationId on every operation, a servers entry, and `security: []` on the public ones', () => {
    assert.ok((doc.servers ?? []).length > 0, 'a servers entry');
    const ids = operations(doc).map(({ op }) => op.operationId);
    assert.ok(
      ids.every((id) => typeof id === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(id)),
      ids.join(', '),
    );
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const { method, path, op } of operations(doc)) {
      assert.ok(Array.isArray(op.security), `${method} ${path} states its security`);
    }
    for (const [path, method] of [
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/metrics', 'get'],
      ['/stripe/webhook', 'post'],
    ] as const) {
      assert.deepEqual(doc.paths[path]?.[method]?.security, [], `${path} is public`);
    }
  });

  it('uses only what an OpenAPI 3.0 Schema Object knows (no propertyNames, patternProperties, const, type lists)', () => {
    const found: string[] = [];
    const visit = (value: unknown, at: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${at}/${i}`));
      if (value === null || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value)) {
        const here = `${at}/${key}`;
        // `properties` and `examples` hold names and values, not keywords.
        if (!at.endsWith('/properties') && !here.includes('/example')) {
          if (['propertyNames', 'patternProperties', 'const', '$schema'].includes(key)) found.push(here);
          if (key === 'type' && (Array.isArray(child) || child === 'null')) found.push(here);
        }
        visit(child, here);
      }
    };
    visit(doc.paths, '#/paths');
    assert.deepEqual(found, []);
  });

  it('documents every 4xx a route answers to bad or unauthorised requests', async () => {
    const token = { authorization: `Bearer ${TEST_API_TOKEN}` };
    const json = { 'content-type': 'application/json' };
    // Over every body limit (the webhook's is 1 MiB).
    const huge = JSON.stringify({ description: 'x'.repeat(1100 * 1024) });
    const probes: Array<{
      what: string;
      headers: Record<string, string>;
      payload?: string;
      badParam?: true;
    }> = [
      { what: 'no token', headers: {} },
      { what: 'a malformed path parameter', headers: token, badParam: true },
      { what: 'an unknown charge', headers: { ...token, ...json }, payload: '{"refund_id":"r-1"}' },
      { what: 'broken JSON', headers: { ...token, ...json }, payload: '{"event_id":' },
      { what: 'an empty JSON body', headers: { ...token, ...json }, payload: '' },
      { what: 'a key given twice', headers: { ...token, ...json }, payload: '{"a":1,"a":2}' },
      { what: 'an empty object', headers: { ...token, ...json }, payload: '{}' },
      { what: 'XML', headers: { ...token, 'content-type': 'application/xml' }, payload: '<a/>' },
      { what: 'a body over the limit', headers: { ...token, ...json }, payload: huge },
    ];
    const undocumented: string[] = [];
    for (const { method, path, op } of operations(doc)) {
      const hasBody = method !== 'GET' && method !== 'HEAD';
      for (const probe of probes) {
        if (probe.payload !== undefined && !hasBody) continue;
        if (probe.badParam && !path.includes('{')) continue;
        const url = probe.badParam ? path.replace(/\{[^}]+\}/g, 'bad%20id') : concreteUrl(path, op);
        const res = await t.app.inject({
          method: method as 'GET',
          url,
          headers: probe.headers,
          ...(probe.payload !== undefined ? { payload: probe.payload } : {}),
        });
        const status = String(res.statusCode);
        if (res.statusCode >= 400 && res.statusCode < 500 && op.responses?.[status] === undefined) {
          undocumented.push(
            `${method} ${path} answers ${status} to ${probe.what}: ${res.body.slice(0, 120)}`,
          );
        }
      }
    }
    assert.deepEqual(undocumented, []);
  });

  it('serves the interactive documentation page at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<html[\s>]/i);
    assert.match(res.body, /swagger-ui/i);
    // The page loads the same document the gateway serves at /openapi.json.
    const pageDoc = await t.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(pageDoc.statusCode, 200);
    assert.deepEqual(pageDoc.json(), doc);
  });
});
