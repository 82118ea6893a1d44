/**
 * The API description: generated from the routes' own zod schemas, served without auth at
 * /api/v1/openapi.json, listing every route Express has, with answers that real responses match;
 * and its interactive reference at /docs, served from the installed package.
 */
import { get } from 'node:http';
import { Validator } from '@cfworker/json-schema';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { startTestWeft, type ApiResponse, type TestWeft } from '../support/harness';
import { lineGraph } from '../support/line-graph';

let t: TestWeft;
let doc: any;

beforeAll(async () => {
  t = await startTestWeft();
  const res = await t.api('GET', '/api/v1/openapi.json', undefined, { token: null });
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await t?.stop();
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
  slash?: boolean;
}

/** Every `METHOD /path` an Express app answers, found by walking its router stack. */
function expressRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = [layer.route.path].flat();
      return paths.flatMap((p) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${prefix}${p}`));
    }
    if (layer.handle.stack) {
      const mount = layer.slash || typeof layer.rawPath !== 'string' ? '' : layer.rawPath;
      return expressRoutes(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

function documentedRoutes(): Set<string> {
  const out = new Set<string>();
  for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of Object.keys(ops)) out.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  }
  return out;
}

/** The documented schema of a response to `method path`, with its status (or `default`). */
function documentedSchema(method: string, path: string, status: number): { schema: any; contentType: string } {
  const url = new URL(path, 'http://x').pathname;
  const template = Object.keys(doc.paths)
    .filter((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(url))
    // `/workflows/import` before `/workflows/{id}`: the most literal template wins, as in the router.
    .sort((a, b) => a.split('{').length - b.split('{').length)[0];
  if (!template) throw new Error(`${method} ${url} is not documented`);
  const op = doc.paths[template][method.toLowerCase()];
  if (!op) throw new Error(`${method} ${template} is not documented`);
  const response = op.responses[String(status)] ?? op.responses.default;
  const [contentType, media] = Object.entries<any>(response.content ?? {})[0] ?? ['', {}];
  let schema = media.schema;
  if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
  return { schema, contentType };
}

/** Asserts a real response matches what the document says of it. */
function expectDocumented(method: string, path: string, res: ApiResponse): void {
  const { schema, contentType } = documentedSchema(method, path, res.status);
  if (res.status === 204) return;
  expect(schema).toBeDefined();
  expect(res.headers.get('content-type') ?? '').toContain(contentType);
  const result = new Validator(schema, '2020-12', false).validate(res.body);
  if (!result.valid) throw new Error(`${method} ${path} → ${res.status} does not match its schema: ${JSON.stringify(result.errors.slice(0, 3))}`);
}

test('the document is OpenAPI 3.1, needs no token, and every route Express answers is in it with its method', () => {
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  const app = createApp({
    database: t.weft.database,
    temporal: t.temporal,
    taskQueue: t.settings.taskQueue,
    jwtSecret: 'x',
    log: pino({ level: 'silent' }),
    secretsKey: Buffer.alloc(32),
    httpAllowedHosts: [],
  });
  const routes = expressRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack)
    // The reference page's own files (its HTML is documented as /docs).
    .filter((r) => !/^GET \/docs\/./.test(r));
  expect(routes.length).toBeGreaterThan(100);
  const documented = documentedRoutes();
  expect(routes.filter((r) => !documented.has(r))).toEqual([]);
  // Nothing documented that the server does not answer.
  expect([...documented].filter((r) => !routes.includes(r))).toEqual([]);
});

test('operations state their auth, request body and problem+json errors from the zod schemas', () => {
  const start = doc.paths['/api/v1/workflows/{id}/instances'].post;
  expect(start.security).toEqual([{ bearerAuth: [] }]);
  expect(start.description).toContain('operator');
  expect(start.requestBody.content['application/json'].schema.properties.site).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
  expect(start.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(['path:id', 'header:Idempotency-Key']);
  expect(start.responses['401'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
  const list = doc.paths['/api/v1/workflow-instances'].get;
  expect(list.parameters.find((p: any) => p.name === 'limit').schema).toMatchObject({ maximum: 200 });
  expect(doc.paths['/health'].get.security).toEqual([]);
});

test('real responses validate against their documented schemas', async () => {
  const calls: Array<[number, string, string, unknown?, { token?: string | null; headers?: Record<string, string> }?]> = [
    [200, 'GET', '/health', undefined, { token: null }],
    [200, 'GET', '/ready', undefined, { token: null }],
    [401, 'GET', '/api/v1/workflows', undefined, { token: null }],
    [400, 'GET', '/api/v1/workflows?limit=9999'],
    [404, 'GET', '/api/v1/workflows/no-such-workflow'],
    [201, 'POST', '/api/v1/sites', { id: 'plant-a', name: 'Plant A', region: 'eu', environment: 'production' }],
    [200, 'GET', '/api/v1/sites'],
    [200, 'GET', '/api/v1/sites/plant-a'],
    // The test token's subject is not in the directory.
    [404, 'GET', '/api/v1/me'],
    [200, 'GET', '/api/v1/users'],
    [200, 'GET', '/api/v1/groups'],
    [200, 'GET', '/api/v1/approval-requests'],
    [200, 'GET', '/api/v1/me/approvals'],
    [200, 'GET', '/api/v1/rollouts'],
    [200, 'GET', '/api/v1/circuit-breakers'],
    [200, 'GET', '/api/v1/connectors'],
    [200, 'GET', '/api/v1/config/parameters'],
    [200, 'GET', '/api/v1/workflow-instances'],
  ];

  const created = await t.api('POST', '/api/v1/workflows', lineGraph('documented', []));
  expect(created.status).toBe(201);
  expectDocumented('POST', '/api/v1/workflows', created);
  const id = created.body.id as string;
  for (const path of [`/api/v1/workflows/${id}`, `/api/v1/workflows/${id}/versions`, `/api/v1/workflows/${id}/instances`]) {
    expectDocumented('GET', path, await t.api('GET', path));
  }
  const published = await t.api('POST', `/api/v1/workflows/${id}/publish`, {});
  expect(published.status).toBe(200);
  expectDocumented('POST', `/api/v1/workflows/${id}/publish`, published);
  const started = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
  expect(started.status).toBe(202);
  expectDocumented('POST', `/api/v1/workflows/${id}/instances`, started);
  for (const path of [`/api/v1/workflow-instances/${started.body.id}`, `/api/v1/workflow-instances/${started.body.id}/history`]) {
    expectDocumented('GET', path, await t.api('GET', path));
  }
  for (const [status, method, path, body, opts] of calls) {
    const res = await t.api(method, path, body, opts);
    expect([method, path, res.status]).toEqual([method, path, status]);
    expectDocumented(method, path, res);
  }
});

test('/docs serves the interactive reference from the installed package, pointing at the document', async () => {
  const page = await fetch(`${t.url}/docs`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('swagger-ui-bundle.js');
  expect(html).not.toMatch(/https?:\/\//);
  const bundle = await fetch(`${t.url}/docs/swagger-ui-bundle.js`);
  expect(bundle.status).toBe(200);
  expect((await bundle.text()).length).toBeGreaterThan(100_000);
  const init = await (await fetch(`${t.url}/docs/weft-initializer.js`)).text();
  expect(init).toContain('/api/v1/openapi.json');
  // helmet's headers are on every answer.
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  // Not on plain HTTP (it sent the console's own files to https); COOP where browsers honour it.
  expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  // As a network address reaches it (fetch would not send another Host), directly and behind a TLS proxy.
  const coopAt = (headers: Record<string, string>) =>
    new Promise<string | undefined>((resolve, reject) => {
      get(`${t.url}/docs`, { headers }, (res) => {
        res.resume();
        resolve(res.headers['cross-origin-opener-policy'] as string | undefined);
      }).on('error', reject);
    });
  await expect(coopAt({ host: 'weft.example:3000', 'x-forwarded-proto': 'https' })).resolves.toBe('same-origin');
  await expect(coopAt({ host: 'weft.example:3000' })).resolves.toBeUndefined();
});
