// Prints one plain closing line, "jest: N passed, N failed, N skipped", for CI logs.
class SummaryReporter {
  onRunComplete(_contexts, r) {
    process.stdout.write(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
