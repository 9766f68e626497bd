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
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

const vitestArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;
/** Each failure, named and with the start of its message: CI keeps only the end of the output, so they are repeated there. */
const failures: string[] = [];
const maxMessageLines = 25;

function summarise(file: string, name: string, message: string | undefined): void {
  const lines = (message ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").slice(0, maxMessageLines);
  failures.push([`FAILED ${file}${name === "" ? "" : ` > ${name}`}`, ...lines.map((l) => `    ${l}`)].join("\n"));
}

function recordFailures(json: VitestJSON): void {
  for (const file of json.testResults ?? []) {
    const relative = file.name.startsWith(process.cwd()) ? file.name.slice(process.cwd().length + 1) : file.name;
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const test of failedTests) summarise(relative, test.fullName, test.failureMessages?.[0]);
    if (file.status === "failed" && failedTests.length === 0) summarise(relative, "", file.message);
  }
}

function step(name: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n=== ${name}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  const ok = result.status === 0;
  process.stdout.write(`=== ${name}: ${ok ? "ok" : "FAILED"}\n`);
  return ok;
}

for (const [name, script] of [["lint", "lint"], ["typecheck", "typecheck"]] as const) {
  if (step(name, "npm", ["run", "--silent", script])) passed++;
  else {
    failed++;
    failures.push(`FAILED ${name}: its output above says where`);
  }
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
    recordFailures(json);
    // A file that fails to load has no failing test but fails the run.
    if (!testsOk && json.numFailedTests === 0) failed++;
  } catch {
    failed++; // vitest died before writing its report
    failures.push(`FAILED ${name}: vitest wrote no report`);
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

if (failures.length > 0) process.stdout.write(`\n=== what failed\n${failures.join("\n")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
