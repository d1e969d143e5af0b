/**
 * Lint, run by `npm test` before the tests. Beyond typescript-eslint's recommended
 * rules, it forbids focused and disabled tests, and enforces the workflow boundary: code in workflows/ runs in Temporal's
 * deterministic sandbox, so it may not import Node's modules, the MongoDB driver, or any
 * code (types only) from the layers that do I/O.
 */
const { builtinModules } = require('node:module');
const jestPlugin = require('eslint-plugin-jest');
const tseslint = require('typescript-eslint');

const nodeModules = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]);

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', '.tools/', 'stack/ferretdb/', 'coverage/', '.stryker-tmp/', 'reports/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks what is taken apart only to be left out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // A focused or disabled test would pass CI with cases left unrun.
  {
    files: ['**/*.test.ts'],
    plugins: { jest: jestPlugin },
    rules: { 'jest/no-focused-tests': 'error', 'jest/no-disabled-tests': 'error' },
  },
  // The CommonJS config files.
  { files: ['*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['workflows/**/*.ts'],
    // Tests beside the workflows run in Node, not in the sandbox (the bundle holds workflows/index.ts and what it imports).
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeModules.map((name) => ({ name, message: 'workflows run in a deterministic sandbox: no Node modules' })),
            { name: 'mongodb', message: 'workflows do no I/O: the store is reached through activities' },
          ],
          patterns: [
            {
              group: ['**/store/*', '**/snapshot/*', '**/activities', '**/activities/*', '**/client/*', '**/worker/*', '**/stack/*'],
              allowTypeImports: true,
              message: 'workflows may import only types from layers that do I/O; call them through activities',
            },
          ],
        },
      ],
    },
  },
);
