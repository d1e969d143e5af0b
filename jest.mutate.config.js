/**
 * The tests `npm run mutate` runs against each mutant (stryker.config.js): every unit test,
 * and of the integration tests those that drive the store's write modules directly, with no
 * workflow (Stryker's instrumented code cannot run in Temporal's workflow sandbox, and a
 * campaign per mutant would take days).
 */
const base = require('./jest.config');

const [unit, integration] = base.projects;

module.exports = {
  ...base,
  projects: [unit, { ...integration, testMatch: ['<rootDir>/test/store-writes.test.ts', '<rootDir>/test/status-writer.test.ts'] }],
};
