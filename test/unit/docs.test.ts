/**
 * The documents a user reads first stay true: the graph format the project carries follows the
 * team's contract and names every node type, and every npm script runs a file that exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_TYPES } from '../../src/graph/node-types';

const ROOT = join(__dirname, '..', '..');
const graphFormat = readFileSync(join(ROOT, 'docs', 'graph-format.md'), 'utf8');
// The contract lives beside the repository in the team's workspace, not in a clone of it.
const contractPath = join(ROOT, '..', 'shared', 'GRAPH.md');

test('docs/graph-format.md names every node type', () => {
  expect(NODE_TYPES.filter((type) => !graphFormat.includes(type))).toEqual([]);
});

(existsSync(contractPath) ? test : test.skip)('docs/graph-format.md keeps every section and term of the graph-format contract', () => {
  const contract = readFileSync(contractPath, 'utf8');
  const headings = [...contract.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
  const terms = new Set([...contract.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).filter((t) => t !== 'docs/nodes.md'));
  expect(headings.filter((h) => !graphFormat.includes(`## ${h}`))).toEqual([]);
  expect([...terms].filter((t) => !graphFormat.includes(`\`${t}\``))).toEqual([]);
});

test('README links only to files inside the repository, and they exist', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  expect(links.filter((l) => l.startsWith('..') || !existsSync(join(ROOT, l)))).toEqual([]);
});

test('every npm script that runs a file of the repository names one that exists', () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const files = Object.values(scripts).flatMap((cmd) => [...cmd.matchAll(/(?:^|\s)((?:src|scripts|bench)\/[\w./-]+\.(?:ts|js))/g)].map((m) => m[1]!));
  expect(files.length).toBeGreaterThan(5);
  expect(files.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
});
