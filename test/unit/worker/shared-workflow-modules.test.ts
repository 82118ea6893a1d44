/**
 * Each workflow evaluates the bundle's modules afresh unless the worker preloads them; the
 * definition language's zod schemas then cost ~2 MB per cached workflow (bench/approvals.ts). A
 * graph module that workflow code imports but the worker does not share would bring that back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_WORKFLOW_MODULES } from '../../../src/temporal/worker';

const workflowsDir = join(__dirname, '../../../src/workflows');

function graphModulesImportedByWorkflows(): string[] {
  const found = new Set<string>();
  // The workflow folder and its subfolders (steps/): `../graph/x` or `../../graph/nodes/x`.
  for (const file of readdirSync(workflowsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(workflowsDir, file), 'utf8');
    // Type-only imports vanish from the bundle, so they need no sharing.
    for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(?:\.\.\/)+graph\/([^']+)'/gm)) found.add(m[1] as string);
  }
  return [...found].sort();
}

test('every definition-language module that workflow code imports is shared, and preload.ts runs last', () => {
  const imported = graphModulesImportedByWorkflows();
  expect(imported.length).toBeGreaterThan(5);
  const shared = SHARED_WORKFLOW_MODULES.map((path) => /src\/graph\/((?:nodes\/)?[^/]+)\.ts$/.exec(path)?.[1]);
  expect(shared.filter((name) => imported.includes(name as string)).sort()).toEqual(imported);
  expect(shared[shared.length - 1]).toBe('preload');
});
