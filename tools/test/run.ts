// The whole test suite, as `make test` runs it: lint, typecheck, then the
// unit and integration tests. Every step runs even when an earlier one
// failed, so one run shows everything that is wrong. The last line is
// `N passed, N failed` (CI reads it): lint and typecheck count as one check
// each, every vitest test as one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface VitestJSON {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
}

const vitestArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;

function step(name: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n=== ${name}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  const ok = result.status === 0;
  process.stdout.write(`=== ${name}: ${ok ? "ok" : "FAILED"}\n`);
  return ok;
}

for (const [name, script] of [["lint", "lint"], ["typecheck", "typecheck"]] as const) {
  if (step(name, "npm", ["run", "--silent", script])) passed++;
  else failed++;
}

const reportDir = mkdtempSync(join(tmpdir(), "seedbed-vitest-"));
const report = join(reportDir, "report.json");
const testsOk = step("tests", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs]);
try {
  const json = JSON.parse(readFileSync(report, "utf8")) as VitestJSON;
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // A file that fails to load has no failing test but fails the run.
  if (!testsOk && json.numFailedTests === 0) failed++;
} catch {
  failed++; // vitest died before writing its report
}
rmSync(reportDir, { recursive: true, force: true });

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
