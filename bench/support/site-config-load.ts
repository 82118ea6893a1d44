/**
 * The load of bench/site-config.ts: 1,000 sites (100 plants in 10 regions, 9 lines under each
 * plant), 200 parameters (10 secret, half with a JSON Schema) and values at four levels, written
 * straight into the tables.
 */
import { randomBytes } from 'node:crypto';
import type { WeftDb } from '../../src/db/client';
import { configParameters, configValues, sites, type ConfigScope } from '../../src/db/schema';
import type { SecretBox } from '../../src/domain/secret-box';

const REGIONS = 10;
const PLANTS_PER_REGION = 10;
const LINES_PER_PLANT = 9;
export const PARAMETERS = 200;
export const SECRETS = 10;

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 1_000) await insert(rows.slice(i, i + 1_000));
}

/** Seeds the load; returns the line ids (the sites with four levels above them). */
export async function seedSiteConfig(db: WeftDb, box: SecretBox): Promise<string[]> {
  const params = Array.from({ length: PARAMETERS }, (_, i) => {
    const secret = i < SECRETS;
    const kind = i % 4;
    return {
      key: `p${String(i).padStart(3, '0')}`,
      name: `Parameter ${i}`,
      type: secret || kind === 1 ? ('string' as const) : kind === 2 ? ('boolean' as const) : ('number' as const),
      validation: i % 2 === 0 ? (secret || kind === 1 ? { minLength: 1, maxLength: 64 } : kind === 2 ? null : { minimum: 0, maximum: 1e9 }) : null,
      requiredAtLevel: i % 10 === 4 ? ('regional' as const) : null,
      secret,
      category: `c${i % 8}`,
    };
  });
  await db.insert(configParameters).values(params);
  const valueOf = (p: (typeof params)[number], n: number): unknown => (p.type === 'number' ? n : p.type === 'boolean' ? n % 2 === 0 : `v${n}`);
  const values: Array<typeof configValues.$inferInsert> = [];
  const add = (scope: ConfigScope, scopeId: string, p: (typeof params)[number], n: number) =>
    values.push({
      scope,
      scopeId,
      key: p.key,
      ...(p.secret ? { value: null, sealed: box.seal({ value: `secret-${n}` }) } : { value: valueOf(p, n) }),
      etag: randomBytes(12).toString('base64url'),
      setBy: 'bench',
    });
  params.forEach((p, i) => add('global', '', p, i));
  const siteRows: Array<typeof sites.$inferInsert> = [];
  const lines: string[] = [];
  for (let r = 0; r < REGIONS; r++) {
    const region = `region-${r}`;
    params.forEach((p, i) => i % 2 === 0 && add('region', region, p, i + r));
    for (let pl = 0; pl < PLANTS_PER_REGION; pl++) {
      const plant = `plant-${r}-${pl}`;
      siteRows.push({ id: plant, name: plant, region, environment: 'production' });
      params.forEach((p, i) => i % 4 === 1 && add('site', plant, p, i + pl));
      for (let l = 0; l < LINES_PER_PLANT; l++) {
        const line = `${plant}-line-${l}`;
        siteRows.push({ id: line, name: line, region, environment: 'production', parentSiteId: plant });
        lines.push(line);
        params.forEach((p, i) => i % 10 === 3 && add('site', line, p, i + l));
      }
    }
  }
  await insertChunks(siteRows, (c) => db.insert(sites).values(c));
  await insertChunks(values, (c) => db.insert(configValues).values(c));
  console.log(`seeded ${siteRows.length} sites, ${params.length} parameters, ${values.length} values`);
  return lines;
}
