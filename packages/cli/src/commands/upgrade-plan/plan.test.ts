import type { Condition, UpgradePlan } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { program } from "../../program.ts";
import { usageError } from "../../../test/usage-error.ts";
import { createRequestOf } from "./commands.ts";
import type { CreatePlanOptions } from "./plans-api.ts";
import { changedClusters, planDetails, planEnded, planRows, summaryLine } from "./view.ts";

/** The name and options `seedbed upgrade plan <sub>` parses from `args`, its action replaced. */
function parse(sub: string, args: string[]): { name: string; options: CreatePlanOptions } {
  const root = program();
  const command = root.commands.find((c) => c.name() === "upgrade")?.commands.find((c) => c.name() === "plan")?.commands.find((c) => c.name() === sub);
  let name = "";
  command?.action((n: string) => {
    name = n;
  });
  // The help shown after a usage error is for people, not for the test output.
  command?.configureOutput({ writeErr: () => undefined });
  root.parse(["upgrade", "plan", sub, ...args], { from: "user" });
  return { name, options: command?.opts() as CreatePlanOptions };
}

/** The plan `seedbed upgrade plan create args` would create, or its usage error. */
function create(args: string[]): ReturnType<typeof createRequestOf> {
  const { name, options } = parse("create", args);
  return createRequestOf(name, options);
}

describe("seedbed upgrade plan create's flags", () => {
  it("leaves out what is not given, for the CRD's defaults", () => {
    expect(create(["fleet", "--version", "1.37"])).toEqual({ plan: { apiVersion: "seedbed.dev/v1alpha1", kind: "UpgradePlan", metadata: { name: "fleet" }, spec: { version: "1.37" } }, timeoutMs: 6 * 3_600_000 });
  });

  it("takes every field", () => {
    const { plan, timeoutMs } = create(["prod-137", "--version=1.37.1", "--selector", "env=prod,example.com/tier=web", "--project", "a", "--project", "b", "--canary", "2", "--batch-size", "25%", "--soak", "10m", "--max-failures", "3", "--on-failure", "rollback", "--paused", "--wait", "--timeout", "2h"]);
    expect(plan.spec).toEqual({ version: "1.37.1", clusterSelector: { matchLabels: { env: "prod", "example.com/tier": "web" } }, projects: ["a", "b"], canary: 2, batchSize: "25%", soak: "10m", maxFailures: 3, onFailure: "Rollback", paused: true });
    expect(timeoutMs).toBe(7_200_000);
  });

  it.each([
    { args: ["Fleet", "--version", "1.37"], message: /^NAME must be at most 63 lowercase letters, .*got "Fleet"$/ },
    { args: ["fleet"], message: /^--version is required: the Kubernetes version to upgrade to, one of / },
    { args: ["fleet", "--version", "v1.37"], message: /^--version must be MAJOR.MINOR or MAJOR.MINOR.PATCH, such as 1.37 or 1.37.1; got "v1.37"$/ },
    { args: ["fleet", "--version", "1.37", "--selector", "env"], message: /^--selector must be comma-separated label pairs key=value such as env=prod,tier=web .*got "env" in "env"$/ },
    { args: ["fleet", "--version", "1.37", "--selector", "env=prod,tier=a b"], message: /got "tier=a b" in "env=prod,tier=a b"$/ },
    { args: ["fleet", "--version", "1.37", "--project", "Team_A"], message: /^--project must be a project's name .*repeat the flag for several projects\), got "Team_A"$/ },
    { args: ["fleet", "--version", "1.37", "--canary", "-1"], message: /^--canary must be a whole number from 0 to 100 \(clusters upgraded alone first; 0 for no canary\), got "-1"$/ },
    { args: ["fleet", "--version", "1.37", "--canary", "1.5"], message: /^--canary must be a whole number from 0 to 100/ },
    { args: ["fleet", "--version", "1.37", "--batch-size", "0"], message: /^--batch-size must be a count of clusters per wave such as 3 \(1 to 9999\) or a percentage of the selected clusters such as 25% \(1% to 100%\), got "0"$/ },
    { args: ["fleet", "--version", "1.37", "--batch-size", "150%"], message: /^--batch-size must be .*got "150%"$/ },
    { args: ["fleet", "--version", "1.37", "--soak", "5 minutes"], message: /^--soak must be a duration such as 30s, 5m or 1h30m .*got "5 minutes"$/ },
    { args: ["fleet", "--version", "1.37", "--max-failures", "0"], message: /^--max-failures must be a whole number from 1 to 10000 \(failed clusters after which the plan halts\), got "0"$/ },
    { args: ["fleet", "--version", "1.37", "--on-failure", "retry"], message: /^--on-failure must be Halt \(leave a failed cluster as it is\) or Rollback \(roll it back to its version before the plan\), got "retry"$/ },
    { args: ["fleet", "--version", "1.37", "--wait", "--timeout", "6"], message: /^--timeout must look like 90s, 5m or 1h, got "6"$/ },
  ])("refuses $args, naming the flag and the fix", ({ args, message }) => {
    expect(usageError(() => create(args)).message).toMatch(message);
  });

  it("says a minor that is not offered is invalid, listing those that are", () => {
    expect(() => create(["fleet", "--version", "1.30"])).toThrow(/^--version 1.30: Kubernetes 1.30 is not offered here; choose one of /);
  });

  it("needs the name, and only one", () => {
    expect(usageError(() => parse("create", [])).message).toMatch(/missing required argument 'name'/);
    expect(usageError(() => parse("create", ["a", "b", "--version", "1.37"])).message).toMatch(/too many arguments/);
    expect(usageError(() => parse("pause", [])).message).toMatch(/missing required argument 'name'/);
    expect(usageError(() => parse("get", ["a", "--output", "xml"])).message).toMatch(/argument 'xml' is invalid/);
  });
});

const now = new Date("2026-11-29T12:00:00Z");
const condition = (status: Condition["status"], reason: string, message: string): Condition => ({ type: "Ready", status, reason, message, lastTransitionTime: now.toISOString() });
const plan = (status?: UpgradePlan["status"], name = "fleet"): UpgradePlan => ({
  apiVersion: "seedbed.dev/v1alpha1",
  kind: "UpgradePlan",
  metadata: { name, creationTimestamp: new Date("2026-11-29T11:00:00Z") },
  spec: { version: "1.37", clusterSelector: { matchLabels: { env: "prod" } }, canary: 1, batchSize: "3", soak: "5m", maxFailures: 1, onFailure: "Halt", paused: false },
  ...(status === undefined ? {} : { status }),
});
const soaking: UpgradePlan["status"] = {
  phase: "Soaking",
  currentWave: 0,
  waves: 2,
  soakUntil: "2026-11-29T12:04:00Z",
  counts: { selected: 3, pending: 2, upgrading: 1, upgraded: 0, failed: 0 },
  conditions: [condition("False", "Soaking", "wave 0 of 2 soaks for 5m")],
  clusters: [
    { namespace: "project-a", name: "web", wave: 0, state: "Soaking", from: "1.36.3", message: "healthy; soaks until 2026-11-29T12:04:00.000Z" },
    { namespace: "project-a", name: "api", wave: 1, state: "Pending" },
    { namespace: "project-b", name: "db", wave: 1, state: "Pending" },
  ],
};

describe("what plan list and get print", () => {
  it("a row per plan, by name", () => {
    expect(planRows([plan(soaking, "z"), plan(undefined, "a")], now)).toEqual([
      ["a", "1.37", "Pending", "-", "-", "-", "-", "-", "60m"],
      ["z", "1.37", "Soaking", "0", "2", "3", "0", "0", "60m"],
    ]);
  });

  it("the plan's standing, condition and spec, then each cluster by wave", () => {
    const details = planDetails(plan(soaking));
    expect(details.lines).toEqual([
      "UpgradePlan fleet to 1.37: phase Soaking, wave 0 of 2 (0 is the canary), soaks until 2026-11-29T12:04:00Z: 0 of 3 upgraded, 1 upgrading, 2 pending, 0 failed",
      "Ready False (Soaking): wave 0 of 2 soaks for 5m",
      "It upgrades: selector env=prod in all projects; canary 1, batch 3, soak 5m, maxFailures 1, onFailure Halt",
    ]);
    expect(details.rows).toEqual([
      ["0", "a/web", "Soaking", "1.36.3", "healthy; soaks until 2026-11-29T12:04:00.000Z"],
      ["1", "a/api", "Pending", "-", ""],
      ["1", "b/db", "Pending", "-", ""],
    ]);
  });

  it("a plan the operator has not seen yet", () => {
    expect(summaryLine(plan())).toBe("phase Pending (not seen by the operator yet)");
  });
});

describe("following a plan", () => {
  it("prints the clusters whose state changed", () => {
    const next = structuredClone(soaking);
    const clusters = next.clusters ?? [];
    clusters[0] = { ...clusters[0], namespace: "project-a", name: "web", wave: 0, state: "Upgraded", message: "at 1.37.1; healthy through the soak" };
    clusters[1] = { namespace: "project-a", name: "api", wave: 1, state: "Upgrading" };
    expect(changedClusters(plan(soaking), plan(next))).toEqual(["  a/web (wave 0): Upgraded — at 1.37.1; healthy through the soak", "  a/api (wave 1): Upgrading"]);
    expect(changedClusters(undefined, plan(soaking))).toHaveLength(3);
  });

  it("ends when Completed, or Halted with nothing still upgrading", () => {
    expect(planEnded(plan(soaking))).toBeUndefined();
    expect(planEnded(plan({ ...soaking, phase: "Completed" }))).toBe("Completed");
    expect(planEnded(plan({ ...soaking, phase: "Halted" }))).toBeUndefined();
    expect(planEnded(plan({ ...soaking, phase: "Halted", counts: { selected: 3, pending: 2, upgrading: 0, upgraded: 0, failed: 1 } }))).toBe("Halted");
  });
});
