/**
 * Two projects. `unit`: the tests beside the code, of pure modules and single
 * functions; they need no stack (`npx jest --selectProjects unit` runs on a machine with
 * nothing but node_modules). `integration`: the tests in test/, against the real local
 * stack (Temporal dev server + FerretDB) that test/global-setup.ts finds or starts. Both
 * write their temporary files into one directory of the run, removed at its end
 * (test/scratch-tmpdir.ts).
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/scratch-tmpdir.ts',
  globalTeardown: '<rootDir>/test/scratch-tmpdir-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{domain,snapshot,store,client,cli,activities,workflows,worker,config,stack,harness,operations,server,backup}/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
