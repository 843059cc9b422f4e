// ESM jest: agenda 6 and PGlite are ESM-only, so tests run as native ES modules
// (node --experimental-vm-modules, see package.json) and @swc/jest only strips types.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
      module: { type: 'es6' },
    }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/tests/helpers/summary-reporter.cjs'],
  maxWorkers: 2,
  // A worker's heap grows with every test file (ESM module registries, PGlite instances) to ≈ 2 GB, and
  // garbage collection then dominates: one full run took 893 s and 1,306 CPU-s. Replacing a worker once
  // it holds more than 1 GB after a file: 660 s and 840 CPU-s on the same machine (2026-11-29).
  workerIdleMemoryLimit: '1GB',
  // agenda 6 arms plain setTimeouts for jobs due later (retries, the next poll) and stop() does not
  // clear them; the backend process exits explicitly, and so does jest once every test has finished.
  forceExit: true,
};
