// Prints the plain closing line CI counts (`N passed, N failed`; skips on the line before) from vitest's JSON
// report, after vitest's own summary, and keeps it in .cache/test-summary.txt so `.ci/run` can
// end its output with it (after make's own error line, when there is one).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface VitestJsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
}

const file = process.argv[2] ?? '.cache/vitest-report.json';
let line: string;
try {
  const report = JSON.parse(await readFile(file, 'utf8')) as VitestJsonReport;
  // A file that fails to load counts as a failure even though it ran no test.
  const failed = report.numFailedTests + (report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
  const skipped = report.numPendingTests + report.numTodoTests;
  if (skipped) process.stdout.write(`${skipped} skipped (each with its reason in vitest's output)\n`);
  line = `${report.numPassedTests} passed, ${failed} failed`;
} catch (error) {
  process.stderr.write(`no vitest report at ${file}: ${(error as Error).message}\n`);
  line = '0 passed, 1 failed';
  process.exitCode = 1;
}
process.stdout.write(`${line}\n`);
await writeFile(path.join(path.dirname(file), 'test-summary.txt'), `${line}\n`);
