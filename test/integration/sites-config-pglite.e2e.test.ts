/**
 * The resolution of a site's configuration on PGlite, the embedded default: the same SQL (the
 * recursive site chain, the join of parameters and values) must answer as on PostgreSQL.
 */
import { resolveSecretsKey } from '../../src/auth/secrets-key';
import { SecretBox } from '../../src/domain/secret-box';
import { SiteConfigService } from '../../src/services/site-config';
import { startTestWeft, type TestWeft } from '../support/harness';

jest.setTimeout(120_000);

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft({ database: 'pglite', worker: false });
});

afterAll(async () => {
  await t?.stop();
});

async function ok(method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

test('four levels resolve with provenance on PGlite, and a parent cycle is refused', async () => {
  expect(t.databaseKind).toBe('pglite');
  await ok('POST', '/config/parameters', { key: 'maxTemp', name: 'Max temperature', type: 'number', requiredAtLevel: 'site' }, 201);
  await ok('POST', '/config/parameters', { key: 'apiKey', name: 'API key', type: 'string', secret: true }, 201);
  await ok('POST', '/sites', { id: 'plant', name: 'Plant', region: 'apac', environment: 'production' }, 201);
  await ok('POST', '/sites', { id: 'line', name: 'Line', region: 'apac', environment: 'production', parentSiteId: 'plant', timeZone: 'Asia/Tokyo' }, 201);
  await ok('POST', '/sites', { id: 'cell', name: 'Cell', region: 'apac', environment: 'production', parentSiteId: 'line' }, 201);
  await ok('PUT', '/config/global/maxTemp', { value: 1 }, 201);
  await ok('PUT', '/config/regions/apac/maxTemp', { value: 2 }, 201);
  await ok('PUT', '/sites/plant/config/maxTemp', { value: 3 }, 201);
  await ok('PUT', '/config/global/apiKey', { value: 'pglite-secret-value' }, 201);

  const service = new SiteConfigService(t.weft.database.db, new SecretBox(resolveSecretsKey(t.settings)));
  const cell = await service.resolveForStart('cell');
  expect(cell).toMatchObject({
    site: { id: 'cell', region: 'apac', environment: 'production' },
    config: { maxTemp: 3 },
    secretKeys: ['apiKey'],
    provenance: { maxTemp: { scope: 'site', source: 'site:plant' } },
    errors: [],
  });
  expect(JSON.stringify(cell)).not.toContain('pglite-secret-value');
  await ok('PUT', '/sites/cell/config/maxTemp', { value: 4 }, 201);
  const view = await ok('GET', '/sites/cell/config/maxTemp');
  expect(view).toMatchObject({ value: 4, inheritedFrom: null, shadowed: [{ source: 'site:plant' }, { source: 'region:apac' }, { source: 'global' }] });

  const cycle = await t.api('PATCH', '/api/v1/sites/plant', { parentSiteId: 'cell' });
  expect(cycle.body).toMatchObject({ status: 409, code: 'SITE_PARENT_CYCLE' });
  expect(cycle.body.detail).toContain('plant → cell → line → plant');
});
