// Prints, for CI logs, the ten slowest test files (where the suite's time goes: CI must stay under
// 15 minutes) and one plain closing line, "jest: N passed, N failed, N skipped".
class SummaryReporter {
  constructor(globalConfig) { this.workers = globalConfig?.maxWorkers ?? 1; }

  onRunComplete(_contexts, r) {
    const files = r.testResults
      .filter((t) => t.perfStats && t.perfStats.end > t.perfStats.start)
      .map((t) => ({ path: t.testFilePath.replace(process.cwd() + '/', ''), s: (t.perfStats.end - t.perfStats.start) / 1000 }))
      .sort((a, b) => b.s - a.s);
    if (files.length > 1) {
      const total = files.reduce((n, f) => n + f.s, 0);
      process.stdout.write(`jest: slowest test files (${Math.round(total)} s of file time in all, ${this.workers} at a time):\n`);
      for (const f of files.slice(0, 10)) process.stdout.write(`  ${f.s.toFixed(1).padStart(6)} s  ${f.path}\n`);
    }
    process.stdout.write(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
