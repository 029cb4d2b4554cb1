import type { Config } from 'jest';

const swcTransform: Config['transform'] = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
      module: { type: 'es6' },
    },
  ],
};

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: swcTransform,
  testEnvironment: 'node',
};

/**
 * Two projects: fast unit tests with no I/O, and integration tests against the real local stack
 * (Temporal dev server, MinIO, embedded PostgreSQL), which global setup starts once.
 */
const config: Config = {
  // Per test; integration tests run whole workflows against real servers. Jest reads this only
  // at the top level, not per project.
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

export default config;
