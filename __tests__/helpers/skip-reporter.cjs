// Lists every skipped test with its reason at the end of the run, so no skip is silent.
class SkipReporter {
  constructor() {
    this.skipped = [];
  }
  onTestResult(_test, result) {
    for (const t of result.testResults) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
        this.skipped.push(
          `${result.testFilePath.replace(process.cwd() + '/', '')} › ${t.fullName}`
        );
      }
    }
  }
  onRunComplete(_contexts, results) {
    if (!this.skipped.length) {
      process.stderr.write('\nSkipped tests: none\n');
    } else {
      process.stderr.write(`\nSkipped tests (${this.skipped.length}), each with its reason:\n`);
      for (const s of this.skipped) process.stderr.write(`  - ${s}\n`);
    }
    // The plain closing line CI reads in any language.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stderr.write(
      `\ntests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`
    );
  }
}
module.exports = SkipReporter;
