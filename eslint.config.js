// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

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
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O modules.
    files: ['src/workflows/**/*.ts'],
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
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
