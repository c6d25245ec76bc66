// Prints the plain closing line CI counts (`vitest: N passed, N failed[, N skipped]`) from
// vitest's JSON report, after vitest's own summary.
import { readFile } from 'node:fs/promises';

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
}

const file = process.argv[2] ?? '.cache/vitest-report.json';
try {
  const report = JSON.parse(await readFile(file, 'utf8')) as VitestJsonReport;
  // A file that fails to load counts as a failure even though it ran no test.
  const failed = report.numFailedTests + (report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
  const skipped = report.numPendingTests + report.numTodoTests;
  process.stdout.write(`vitest: ${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
} catch (error) {
  process.stdout.write(`vitest: 0 passed, 1 failed (no report at ${file}: ${(error as Error).message})\n`);
  process.exitCode = 1;
}
