/**
 * The tests `npm run mutate` runs against each mutant (stryker.config.js): every unit test,
 * and of the integration tests those that drive the store's write modules directly, with no
 * workflow (Stryker's instrumented code cannot run in Temporal's workflow sandbox, and a
 * campaign per mutant would take days). Compiled without type checks: a mutant is often
 * badly typed on purpose, and tsc checks the real code in CI.
 */
const base = require('./jest.config');

const transpileOnly = { transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false, isolatedModules: true }] } };
const [unit, integration] = base.projects.map((project) => ({ ...project, ...transpileOnly }));

module.exports = {
  ...base,
  projects: [unit, { ...integration, testMatch: ['<rootDir>/test/store-writes.test.ts', '<rootDir>/test/status-writer.test.ts'] }],
};
