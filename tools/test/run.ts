// The whole test suite, as `make test` runs it: lint, typecheck, the unit
// and integration tests, then the real ones. Every step runs even when an earlier one
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

/**
 * One vitest run, its tests counted. The real tests (real nodes and seeds,
 * the heaviest by far) run in a run of their own after the others: sharing
 * the 2 cores with an integration file made both slow enough to time out.
 */
function vitest(name: string, args: string[]): void {
  const reportDir = mkdtempSync(join(tmpdir(), "seedbed-vitest-"));
  const report = join(reportDir, "report.json");
  // A filter given to `make test` may leave one of the runs without a file: that is no failure.
  const testsOk = step(name, "npx", ["vitest", "run", "--passWithNoTests", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args]);
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
}

// Projects named on the command line: one run, as asked.
if (vitestArgs.some((a) => a === "--project" || a.startsWith("--project="))) {
  vitest("tests", vitestArgs);
} else {
  vitest("unit and integration tests", ["--project", "unit", "--project", "integration", ...vitestArgs]);
  vitest("real tests", ["--project", "real", ...vitestArgs]);
}

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
