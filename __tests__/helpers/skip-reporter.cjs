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
  onRunComplete() {
    if (!this.skipped.length) {
      process.stderr.write('\nSkipped tests: none\n');
      return;
    }
    process.stderr.write(`\nSkipped tests (${this.skipped.length}), each with its reason:\n`);
    for (const s of this.skipped) process.stderr.write(`  - ${s}\n`);
  }
}
module.exports = SkipReporter;
