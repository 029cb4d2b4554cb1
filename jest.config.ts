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
 * Five projects: fast unit tests with no I/O; the workflows against stand-in activities, each test
 * file on a Temporal dev server of its own (no database, no object store); the replay of recorded
 * histories through the current workflow code, with no server at all; integration tests against
 * the real local stack (Temporal dev server, MinIO, embedded PostgreSQL), which global setup starts
 * once; and the slow fault tests (killed worker processes, restarted servers, concurrent
 * ingestions), which reuse the same global setup and may start a dedicated stack of their own.
 */
const integrationStack = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const config: Config = {
  // Per test; integration tests run whole workflows against real servers. Jest reads this only
  // at the top level, not per project.
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'workflows', testMatch: ['<rootDir>/test/workflows/**/*.test.ts'] },
    { ...shared, displayName: 'replay', testMatch: ['<rootDir>/test/replay/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      ...integrationStack,
    },
    { ...shared, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'], ...integrationStack },
  ],
};

export default config;
