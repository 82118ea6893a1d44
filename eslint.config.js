// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');
const { importX, createNodeResolver } = require('eslint-plugin-import-x');
const noImportCycle = require('./scripts/lint/no-import-cycle');

/** The layers point one way: files in `files` may import nothing, not even types, from the folders in `above`. */
function layer(files, why, above) {
  const group = above.flatMap((dir) => [`**/${dir}`, `**/${dir}/**`]);
  return [{ files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message: why }] }] } }];
}

const sandboxPaths = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
  name,
  message: 'workflow code must not use Node built-ins',
}));
const sandboxPatterns = [
  {
    group: ['**/db/**', '**/api/**', '**/services/**', 'postgres', 'drizzle-orm*', 'express'],
    message: 'workflow code must not do I/O',
    allowTypeImports: true,
  },
  { group: ['**/activities', '**/activities/**'], message: 'import activities as types only', allowTypeImports: true },
];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.weft/**', 'drizzle/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The layers point one way: an import circle fails the lint. import-x's no-cycle skips type-only
    // imports (erased at run time); weft/no-import-cycle counts them too, since a circle of types
    // still ties the files together.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX, weft: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }], 'weft/no-import-cycle': 'error' },
  },
  {
    // Workflow code (and the shapes it shares, src/shared) runs in Temporal's deterministic sandbox: no Node built-ins, no I/O modules.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: sandboxPaths, patterns: sandboxPatterns }] },
  },
  {
    // The definition language (src/graph, src/graph/nodes) is imported by workflows, API and CLI
    // alike: the same sandbox rules, and it depends on no workflow code.
    files: ['src/graph/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: sandboxPaths,
          patterns: [...sandboxPatterns, { group: ['**/workflows', '**/workflows/**'], message: 'the definition language must not depend on workflow code' }],
        },
      ],
    },
  },
  ...layer(['src/domain/**/*.ts'], 'domain (the rules the API and the activities share) calls neither', ['services', 'activities', 'api', 'workflows', 'temporal']),
  ...layer(['src/activities/**/*.ts'], 'activities reach shared rules through src/domain and shared shapes through src/shared', ['services', 'api', 'workflows']),
  ...layer(['src/services/**/*.ts'], 'services reach shared rules through src/domain, not through activities', ['activities', 'api']),
  ...layer(['src/db/**/*.ts', 'src/auth/**/*.ts', 'src/config/**/*.ts'], 'the lowest layer imports no layer above it', ['domain', 'services', 'activities', 'api', 'workflows', 'temporal']),
  ...layer(['src/cli/**/*.ts'], 'the CLI talks to the API only (it shares the definition language, src/graph)', ['db', 'domain', 'services', 'activities', 'api', 'workflows', 'temporal', 'auth', 'config']),
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
