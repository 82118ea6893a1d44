// @ts-check
/**
 * No import circle, not even through `import type`. eslint-plugin-import-x's no-cycle skips
 * type-only imports (they are erased at run time), but a circle of types still ties the files
 * together: neither can be understood, moved or split without the other. This rule reads the
 * imports from the TypeScript program typescript-eslint already built, so it costs no second parse.
 *
 * Reported at each import whose target leads back to the importing file, with the route.
 */
const ts = require('typescript');
const path = require('node:path');

/** @type {WeakMap<import('typescript').Program, Map<string, string[]>>} */
const graphs = new WeakMap();

/** Project files `fileName` imports (values, types, re-exports), resolved; packages left out. */
function importsOf(program, fileName, cache) {
  const known = cache.get(fileName);
  if (known) return known;
  const out = [];
  cache.set(fileName, out);
  const source = program.getSourceFile(fileName);
  if (!source) return out;
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    const target = specifier === undefined ? undefined : resolve(program, specifier, fileName);
    if (target) out.push(target);
  }
  return out;
}

function resolve(program, specifier, fromFile) {
  if (!specifier.startsWith('.')) return undefined;
  const resolved = ts.resolveModuleName(specifier, fromFile, program.getCompilerOptions(), ts.sys).resolvedModule;
  if (!resolved || resolved.isExternalLibraryImport || resolved.extension === '.d.ts') return undefined;
  return path.normalize(resolved.resolvedFileName);
}

/** The shortest route of imports from `start` back to `goal` (both included), or undefined. */
function routeBack(program, cache, start, goal) {
  const cameFrom = new Map([[start, '']]);
  const queue = [start];
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.shift());
    for (const next of importsOf(program, file, cache)) {
      if (next === goal) {
        const route = [goal, file];
        for (let at = file; cameFrom.get(at); ) route.push((at = /** @type {string} */ (cameFrom.get(at))));
        return route.reverse();
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import circles, type-only imports included' },
    schema: [],
    messages: { cycle: 'import circle, type-only imports included: {{route}}' },
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program;
    if (!program) return {};
    let cache = graphs.get(program);
    if (!cache) graphs.set(program, (cache = new Map()));
    const graph = cache;
    const self = path.normalize(context.physicalFilename);
    const root = context.cwd;
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const target = resolve(program, node.source.value, self);
      if (!target || target === self) return;
      const route = routeBack(program, graph, target, self);
      if (route) context.report({ node, messageId: 'cycle', data: { route: [self, ...route].map((f) => path.relative(root, f)).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
