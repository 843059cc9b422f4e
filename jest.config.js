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
  // agenda 6 arms plain setTimeouts for jobs due later (retries, the next poll) and stop() does not
  // clear them; the backend process exits explicitly, and so does jest once every test has finished.
  forceExit: true,
};
