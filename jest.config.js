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
  // Three workers on two cores: tests spend much of their time waiting (Graph simulator latency, leases,
  // timers), so a third worker fills the gaps. Measured 2026-11-29, full suite with the PostgreSQL
  // server: 2 workers 930 s, 3 workers 798 s, both 1,966 passed; CPU 1.44 vs 1.53 cores.
  maxWorkers: 3,
  // A worker's memory grows with every test file (ESM module registries, PGlite instances): a worker
  // whose JS heap holds more than 1 GB after a file is replaced, so a long run cannot end in garbage
  // collection. Measured 2026-11-29: its workers' resident size reaches ≈ 2 GB (mostly PGlite's
  // WebAssembly memory, not heap), and at 1 GB replacements are rare; a 40-file subset at 400 MB
  // replaced two and used 9 % less CPU. Full runs: 893 s before, 660–731 s after, but the runs differ
  // in more than this (machine load, caches), so the gain is not this setting's alone.
  workerIdleMemoryLimit: '1GB',
  // agenda 6 arms plain setTimeouts for jobs due later (retries, the next poll) and stop() does not
  // clear them; the backend process exits explicitly, and so does jest once every test has finished.
  forceExit: true,
};
