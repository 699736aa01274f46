// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report,
// and fails when anything was skipped while SWITCHBOARD_REQUIRE_SERVICES=1 forbids skipping.
import fs from 'node:fs';

const report = JSON.parse(fs.readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (process.env.SWITCHBOARD_REQUIRE_SERVICES === '1' && skipped > 0) {
  console.error('tests were skipped although SWITCHBOARD_REQUIRE_SERVICES=1 forbids skipping');
  process.exit(1);
}
if (failed > 0 || passed === 0) process.exit(1);
