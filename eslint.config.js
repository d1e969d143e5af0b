/**
 * Lint, run by `npm test` before the tests. Beyond typescript-eslint's recommended
 * rules, it forbids focused and disabled tests, keeps imports flowing down the layers
 * (LAYERS), and enforces the workflow boundary: code in workflows/ runs in Temporal's
 * deterministic sandbox, so it may not import Node's modules, the MongoDB driver, or any
 * code (types only) from the layers that do I/O.
 */
const { builtinModules } = require('node:module');
const jestPlugin = require('eslint-plugin-jest');
const tseslint = require('typescript-eslint');

const nodeModules = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]);

/**
 * The layers, lowest first: a module imports from its own folder and the layers below it,
 * never from one above (docs/architecture.md). Folders on one line are side by side and
 * do not import each other.
 */
const LAYERS = [
  ['domain'],
  ['config', 'snapshot'],
  ['store'],
  ['activities', 'backup'],
  ['workflows'],
  ['worker'],
  ['client', 'stack'],
  ['harness', 'operations'],
  ['server'],
  ['cli'],
  ['bench', 'scripts'],
];

/** The folders a module of `folder` may not import from: those above it, and those beside it. */
function forbiddenFor(folder) {
  const level = LAYERS.findIndex((layer) => layer.includes(folder));
  return LAYERS.flatMap((layer, i) => (i > level ? layer : i === level ? layer.filter((f) => f !== folder) : []));
}

/** The import rule of a folder: nothing from above or beside; for workflows also the sandbox's limits. */
function layerRule(folder, extra = {}) {
  const forbidden = forbiddenFor(folder);
  return {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: extra.paths ?? [],
        patterns: [
          ...(forbidden.length
            ? [
                {
                  group: [
                    ...forbidden.flatMap((f) => ['../', '../../', '../../../'].flatMap((up) => [`${up}${f}`, `${up}${f}/**`])),
                    // The contract between workflows and activities, whose types the layers below share (see next).
                    ...(forbidden.includes('workflows') ? ['!../workflows/contracts'] : []),
                  ],
                  message: `${folder}/ imports only from the layers below it (eslint.config.js, LAYERS)`,
                },
                ...(forbidden.includes('workflows')
                  ? [{ group: ['../workflows/contracts'], allowTypeImports: true, message: `${folder}/ may import only types from workflows/contracts` }]
                  : []),
              ]
            : []),
          ...(extra.patterns ?? []),
        ],
      },
    ],
  };
}

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
  ...LAYERS.flat()
    .filter((folder) => folder !== 'workflows')
    // A test beside a module may reach anywhere (the helpers in test/, a linter), as tests do.
    .map((folder) => ({ files: [`${folder}/**/*.ts`], ignores: ['**/*.test.ts'], rules: layerRule(folder) })),
  {
    files: ['workflows/**/*.ts'],
    // Tests beside the workflows run in Node, not in the sandbox (the bundle holds workflows/index.ts and what it imports).
    ignores: ['workflows/**/*.test.ts'],
    rules: layerRule('workflows', {
      paths: [
        ...nodeModules.map((name) => ({ name, message: 'workflows run in a deterministic sandbox: no Node modules' })),
        { name: 'mongodb', message: 'workflows do no I/O: the store is reached through activities' },
      ],
      patterns: [
        {
          group: ['**/store/**', '**/snapshot/**', '**/activities', '**/activities/**'],
          allowTypeImports: true,
          message: 'workflows may import only types from layers that do I/O; call them through activities',
        },
      ],
    }),
  },
);
