/**
 * No Docker engine runs here, so the production stack is checked statically: every setting the
 * code reads is documented, and every process in docker-compose.yml is given what its role needs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REQUIRED_BY_ROLE, SETTING_DOCS } from '../../src/config/settings';
import { CLUSTER_SHAPE, CLUSTER_WORKER_ENV, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER } from '../../src/temporal/cluster-setup';
import { WEFT_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

const ROOT = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { image?: string; environment?: Record<string, string>; command?: string[]; build?: string; deploy?: { replicas?: number }; depends_on?: unknown }
  >;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The environment variables the source files under `dir` read. */
function envRead(dir: string, skip: (path: string) => boolean = () => false): Set<string> {
  const read = new Set<string>();
  for (const file of sourceFiles(dir).filter((f) => !skip(f))) {
    // Reads only: an assignment (the worker setting the SDK patch's switch) reads nothing.
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:process\.env|env)\.([A-Z][A-Z0-9_]+)\b(?!\s*=[^=])/g)) read.add(m[1]!);
  }
  return read;
}

const CLI_DIR = join(ROOT, 'src', 'cli');

test('the code reads the environment only through the documented settings', () => {
  // The CLI runs on a user's machine, not in a deployed process: its variables are checked below.
  const read = envRead(join(ROOT, 'src'), (path) => path.startsWith(CLI_DIR));
  // Tool lookup for the embedded dev server, not a setting of a deployed process.
  const devTools = new Set(['TEMPORAL_CLI_PATH', 'PATH']);
  const undocumented = [...read].filter((name) => !(name in SETTING_DOCS) && !devTools.has(name));
  expect(undocumented).toEqual([]);
});

test('every environment variable the CLI reads is documented in docs/cli.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
  const read = [...envRead(CLI_DIR)];
  expect(read.length).toBeGreaterThan(0);
  expect(read.filter((name) => !doc.includes(name))).toEqual([]);
});

test.each(Object.entries(REQUIRED_BY_ROLE))('the %s service is given every setting its role needs', (role, required) => {
  const service = compose.services[role];
  expect(service).toBeDefined();
  const env = service!.environment ?? {};
  expect(required.filter((name) => !(name in env))).toEqual([]);
  // And nothing it is given is a misspelt setting.
  expect(Object.keys(env).filter((name) => !(name in SETTING_DOCS))).toEqual([]);
});

test('api and worker are separate services built from the Dockerfile, workers scale out', () => {
  const { api, worker } = compose.services;
  expect(api?.build).toBe('.');
  expect(worker?.build).toBe('.');
  expect(api?.command?.join(' ')).toContain('src/server.ts');
  expect(worker?.command?.join(' ')).toContain('src/worker.ts');
  expect(worker?.deploy?.replicas).toBeGreaterThan(1);
  expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  for (const entry of ['src/server.ts', 'src/worker.ts', 'scripts/bundle-workflows.ts']) expect(existsSync(join(ROOT, entry))).toBe(true);
});

test('Temporal persists to PostgreSQL, has a Web UI, and gets Weft search attributes', () => {
  const { temporal, 'temporal-ui': ui, 'temporal-setup': setup, postgres } = compose.services;
  expect(postgres).toBeDefined();
  expect(temporal?.environment?.DB).toMatch(/^postgres/);
  expect(temporal?.environment?.POSTGRES_SEEDS).toBe('postgres');
  expect(ui?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  const setupCommand = JSON.stringify(setup?.command);
  for (const { name } of WEFT_SEARCH_ATTRIBUTES) expect(setupCommand).toContain(name);
  // Every service that talks to Temporal points at the same frontend.
  for (const name of ['api', 'worker']) expect(compose.services[name]?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  // The API's database is the compose PostgreSQL.
  expect(compose.services.api?.environment?.DATABASE_URL).toContain('@postgres:5432/');
});

/** A compose value as the process sees it when the environment leaves it alone: `${X:-v}` is v. */
function composeDefault(value: string | undefined): string | undefined {
  return value?.replace(/^\$\{[A-Z0-9_]+:-(.*)\}$/, '$1');
}

test('docker-compose.yml has the shape npm run cluster starts: the same services, versions and worker count', () => {
  for (const name of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker']) expect(compose.services[name]).toBeDefined();
  expect(compose.services.temporal?.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION.slice(1)}`);
  expect(compose.services['temporal-ui']?.image).toBe(`temporalio/ui:${TEMPORAL_UI_SERVER.installTarget.split('@v')[1]}`);
  expect(compose.services.worker?.deploy?.replicas).toBe(CLUSTER_SHAPE.workers);
  expect(compose.services.api?.deploy?.replicas ?? 1).toBe(CLUSTER_SHAPE.apis);
});

test("compose's workers run with the cluster's worker tuning, and every Weft setting a service is given is documented", () => {
  const worker = compose.services.worker?.environment ?? {};
  for (const [name, value] of Object.entries(CLUSTER_WORKER_ENV)) expect([name, composeDefault(worker[name])]).toEqual([name, value]);
  const weftServices = Object.entries(compose.services).filter(([, s]) => s.build === '.');
  expect(weftServices.map(([name]) => name).sort()).toEqual(['api', 'worker']);
  for (const [name, service] of weftServices) {
    expect([name, Object.keys(service.environment ?? {}).filter((v) => !(v in SETTING_DOCS))]).toEqual([name, []]);
  }
});
