/** @type {import('jest').Config} */
const swc = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  setupFiles: ['reflect-metadata'],
  // one migrated template database per run; each test file gets a copy (test/support/template.ts)
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // @as-integrations/koa is ESM-only (an `import` condition only): point jest at its file and let swc compile it
  moduleNameMapper: { '^@as-integrations/koa$': '<rootDir>/node_modules/@as-integrations/koa/dist/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!@as-integrations/koa/)'],
  testTimeout: 60000,
};
