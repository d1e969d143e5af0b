/**
 * Mutation testing, run apart from CI (`npm run mutate`, the stack up or startable): Stryker
 * changes the domain and the store's write modules one small way at a time and runs the
 * tests of jest.mutate.config.js against each change; a change no test notices is a
 * surviving mutant. The report goes to reports/mutation/.
 */
const { join } = require('node:path');

// The sandbox Stryker copies the project into must use this project's stack, not start another.
process.env.RESTORE_STACK_DIR ??= join(__dirname, '.stack');

module.exports = {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  mutate: ['domain/**/*.ts', '!domain/**/*.test.ts', 'store/live/live-store.ts', 'store/control/status-writer.ts', 'store/mongo/bulk.ts'],
  // Instrumented code is not always well typed: the type check is tsc's, in CI.
  disableTypeChecks: '{domain,store}/**/*.ts',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // The integration tests share the stack; a mutant's run takes seconds.
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  // The stack's binaries and data stay where they are (RESTORE_STACK_DIR above); the build is not what the tests run.
  ignorePatterns: ['.tools', '.stack', 'dist', 'coverage'],
  cleanTempDir: true,
};
