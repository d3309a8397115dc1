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
  // Workers left running at the end get 3 s, not 500 ms, to exit before jest kills them and warns of
  // a leak: measured (an IPC probe in each worker), every worker's loop was empty and its 'exit' fired
  // 1-6 ms after jest's END message, yet the 500 ms deadline was missed on this 2-core machine, where
  // three workers of about 1 GB each tear down at once. A worker that really hangs still gets killed.
  workerGracefulExitTimeout: 3000,
};
