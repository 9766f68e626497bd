import { minorOf, offeredKubernetesVersions } from "@seedbed/binaries";
import type { Cluster, ClusterUpgradeStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { CliError, ExitCode } from "../../errors.ts";
import { program } from "../../program.ts";
import { usageError } from "../../../test/usage-error.ts";
import { upgradeLines } from "./get.ts";
import { rollbackConsequences, type RollbackClusterOptions } from "./rollback.ts";
import { rollbackDecision, upgradeDecision } from "./upgrade-check.ts";
import { elapsed, newUpgradeWatch, upgradeOutcome, upgradeProgressLine, type UpgradeGoal } from "./upgrade-wait.ts";
import { upgradeFlagsOf, type UpgradeClusterOptions } from "./upgrade.ts";

// The two minors offered (tools/k8s/versions.json), newest first: the tests follow the file.
const [newPinned = "", oldPinned = ""] = offeredKubernetesVersions();
const newer = minorOf(newPinned);
const older = minorOf(oldPinned);
const minorAbove = (minor: string, by: number): string => `1.${String(Number(minor.split(".")[1]) + by)}`;
const subject = { name: "web", project: "demo" };
const started = "2026-03-04T05:00:00Z";

function cluster(spec: Partial<Cluster["spec"]>, status?: Cluster["status"], deleting = false): Cluster {
  return {
    apiVersion: "seedbed.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "web", namespace: "project-demo", resourceVersion: "7", ...(deleting ? { deletionTimestamp: new Date(started) } : {}) },
    spec: spec as Cluster["spec"],
    ...(status === undefined ? {} : { status }),
  };
}

function upgrade(fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus {
  return { from: oldPinned, to: newPinned, phase: "Upgrading", step: "APIServer", startedTime: started, ...fields };
}

/** The options a subcommand of `seedbed cluster` parses from `args`, its action replaced. */
function parse(sub: string, args: string[]): UpgradeClusterOptions & RollbackClusterOptions {
  const root = program();
  const command = root.commands.find((c) => c.name() === "cluster")?.commands.find((c) => c.name() === sub);
  command?.action(() => undefined);
  // The help shown after a usage error is for people, not for the test output.
  command?.configureOutput({ writeErr: () => undefined });
  root.parse(["cluster", sub, "web", ...args], { from: "user" });
  return command?.opts() as UpgradeClusterOptions & RollbackClusterOptions;
}

/** The error `call` throws, with its exit code. */
function refusal(call: () => unknown): CliError {
  try {
    call();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("no error thrown");
}

describe("seedbed cluster upgrade's flags", () => {
  it.each([
    { args: ["--version", newer], expected: { version: newer, timeoutMs: 1_800_000 } },
    { args: [`--version=${newPinned}`, "--wait", "--timeout", "45m"], expected: { version: newPinned, timeoutMs: 2_700_000 } },
  ])("$args → $expected", ({ args, expected }) => {
    expect(upgradeFlagsOf(parse("upgrade", args))).toEqual(expected);
  });

  it.each([
    { args: [], message: /^--version is required: the Kubernetes version to upgrade to, one of / },
    { args: ["--version", "latest"], message: new RegExp(`^--version must be MAJOR\\.MINOR or MAJOR\\.MINOR\\.PATCH, such as ${newer} or ${newPinned}; got "latest"$`) },
    { args: ["--version", "v1.37"], message: /got "v1\.37"$/ },
    { args: ["--version", "2.0"], message: /got "2\.0"$/ },
    { args: ["--version", newer, "--timeout", "30"], message: /^--timeout must look like 90s, 5m or 1h, got "30"$/ },
  ])("refuses $args as a usage error naming the flag", ({ args, message }) => {
    expect(usageError(() => upgradeFlagsOf(parse("upgrade", args))).message).toMatch(message);
  });

  it("refuses a version not offered here, naming the flag and the versions that are (exit 5, as admission would)", () => {
    const error = refusal(() => upgradeFlagsOf({ version: "1.99" }));
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toBe(`--version 1.99: Kubernetes 1.99 is not offered here; choose one of ${offeredKubernetesVersions().join(", ")}`);
  });

  it("takes --yes, --wait and --timeout for rollback, and no --version", () => {
    expect(parse("rollback", ["--yes", "--wait", "--timeout", "5m"])).toMatchObject({ yes: true, wait: true, timeout: "5m" });
    expect(usageError(() => parse("rollback", ["--version", newer])).message).toBe("unknown option '--version'");
  });
});

describe("what cluster upgrade does to a cluster", () => {
  it.each([
    { what: "the next minor", cluster: cluster({ version: older }), flag: newer, expected: { action: "upgrade", version: newer, pinned: newPinned, from: older } },
    { what: "the next minor from the running version when spec.version is unset", cluster: cluster({}, { version: oldPinned }), flag: newPinned, expected: { action: "upgrade", version: newPinned, pinned: newPinned, from: oldPinned } },
    { what: "a cluster that has not run yet", cluster: cluster({}), flag: older, expected: { action: "upgrade", version: older, pinned: oldPinned, from: undefined } },
    { what: "the version it asks for already", cluster: cluster({ version: newer }), flag: newPinned, expected: { action: "already", pinned: newPinned } },
    { what: "the version an upgrade under way goes to", cluster: cluster({ version: newPinned }, { upgrade: upgrade({}) }), flag: newer, expected: { action: "already", pinned: newPinned } },
    { what: "a new upgrade after a completed one", cluster: cluster({ version: older }, { upgrade: upgrade({ from: "1.35.0", to: oldPinned, phase: "Completed", step: "Done" }) }), flag: newer, expected: { action: "upgrade", version: newer, pinned: newPinned, from: older } },
    { what: "the same upgrade again after a failed rollback", cluster: cluster({ version: oldPinned }, { upgrade: upgrade({ phase: "Failed", rollback: true }) }), flag: newer, expected: { action: "upgrade", version: newer, pinned: newPinned, from: oldPinned } },
    { what: "the same upgrade again after a rollback", cluster: cluster({ version: oldPinned }, { upgrade: upgrade({ phase: "RolledBack", step: "Done" }) }), flag: newer, expected: { action: "upgrade", version: newer, pinned: newPinned, from: oldPinned } },
  ])("upgrades to $what", ({ cluster: c, flag, expected }) => {
    expect(upgradeDecision(c, flag, subject)).toEqual(expected);
  });

  it.each([
    { what: "a downgrade", cluster: cluster({ version: newer }), flag: older, code: ExitCode.invalid, message: `--version ${older}: cluster web is at ${newer}, and Kubernetes does not downgrade; only the last upgrade can be undone, back to the version it came from: seedbed cluster rollback web --project demo` },
    { what: "a downgrade from the running version (spec.version unset: admission cannot see it)", cluster: cluster({}, { version: newPinned }), flag: older, code: ExitCode.invalid, message: `--version ${older}: cluster web is at ${newPinned}, and Kubernetes does not downgrade; only the last upgrade can be undone, back to the version it came from: seedbed cluster rollback web --project demo` },
    { what: "a skipped minor", cluster: cluster({ version: minorAbove(older, -1) }), flag: newer, code: ExitCode.invalid, message: `--version ${newer}: cluster web is at ${minorAbove(older, -1)}, and upgrades go one minor at a time; upgrade to ${older} first (seedbed cluster upgrade web --version ${older} --project demo --wait), then to ${newer}` },
    { what: "a rollback under way", cluster: cluster({ version: oldPinned }, { upgrade: upgrade({ phase: "RollingBack", step: "NodePools" }) }), flag: newer, code: ExitCode.invalid, message: `--version ${newer}: a rollback of cluster web to ${oldPinned} is under way (step NodePools); wait until it is done (seedbed cluster get web --project demo), then upgrade` },
    { what: "an upgrade while the last one stays Failed", cluster: cluster({ version: older }, { upgrade: upgrade({ from: "1.35.0", to: oldPinned, phase: "Failed", message: "deadline passed" }) }), flag: newer, code: ExitCode.invalid, message: `--version ${newer}: the last upgrade of cluster web, to ${oldPinned}, failed (deadline passed); roll it back first: seedbed cluster rollback web --project demo` },
    { what: "the failed upgrade's own version again", cluster: cluster({ version: newer }, { upgrade: upgrade({ phase: "Failed", message: "kube-apiserver 1 of 2 not ready: deadline 30m passed" }) }), flag: newer, code: ExitCode.failed, message: `the upgrade of cluster web to ${newPinned} failed at step APIServer: kube-apiserver 1 of 2 not ready: deadline 30m passed; roll it back: seedbed cluster rollback web --project demo` },
    { what: "a cluster being deleted", cluster: cluster({ version: older }, undefined, true), flag: newer, code: ExitCode.failed, message: "cluster web is being deleted: nothing to upgrade" },
  ])("refuses $what, saying what to do instead", ({ cluster: c, flag, code, message }) => {
    const error = refusal(() => upgradeDecision(c, flag, subject));
    expect(error.exitCode).toBe(code);
    if (message !== "") expect(error.message).toBe(message);
  });

  it("refuses another version while one upgrade is under way (the case above, spelt out)", () => {
    const c = cluster({ version: older }, { upgrade: upgrade({ from: "1.35.0", to: oldPinned, step: "Controllers" }) });
    expect(refusal(() => upgradeDecision(c, newer, subject)).message).toBe(`--version ${newer}: an upgrade of cluster web to ${oldPinned} is under way (step Controllers); wait until it is done (seedbed cluster get web --project demo), then upgrade`);
  });
});

describe("what cluster rollback does to a cluster", () => {
  it.each(["Upgrading", "Failed", "Completed"] as const)("sets spec.version back to status.upgrade.from while the upgrade is %s", (phase) => {
    expect(rollbackDecision(cluster({ version: newer }, { upgrade: upgrade({ phase }) }), subject)).toMatchObject({ action: "rollback", to: oldPinned });
  });

  it("refuses to roll back a rollback that failed, with its message (exit 8)", () => {
    const error = refusal(() => rollbackDecision(cluster({ version: oldPinned }, { upgrade: upgrade({ phase: "Failed", rollback: true, step: "Snapshot", message: "the restore web-rb failed" }) }), subject));
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.message).toBe(`the rollback of cluster web to ${oldPinned} failed at step Snapshot: the restore web-rb failed`);
  });

  it("follows a rollback under way instead of starting one", () => {
    expect(rollbackDecision(cluster({ version: oldPinned }, { upgrade: upgrade({ phase: "RollingBack" }) }), subject).action).toBe("already");
  });

  it.each([
    { what: "no upgrade", status: undefined, message: "cluster web has no upgrade to roll back (status.upgrade is empty): only the last upgrade can be undone, and this cluster has not been upgraded" },
    { what: "a rolled-back upgrade", status: { upgrade: upgrade({ phase: "RolledBack", step: "Done", completionTime: "2026-03-04T05:10:00Z" }) }, message: `cluster web was rolled back to ${oldPinned} already (2026-03-04T05:10:00Z): only the last upgrade can be undone, once` },
  ])("refuses $what (exit 5)", ({ status, message }) => {
    const error = refusal(() => rollbackDecision(cluster({ version: newer }, status), subject));
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(error.message).toBe(message);
  });

  it("says what a rollback costs: the data since the snapshot, or nothing without one", () => {
    expect(rollbackConsequences(upgrade({}), { name: "web-pre-upgrade-1", takenAt: "2026-03-04T05:00:12Z" })).toBe(`node pools go back first, then the control plane returns to ${oldPinned}; etcd is restored from the pre-upgrade snapshot web-pre-upgrade-1 taken at 2026-03-04T05:00:12Z: changes made since are lost`);
    expect(rollbackConsequences(upgrade({}), undefined)).toMatch(/; no pre-upgrade snapshot is recorded \(spec\.upgrade\.snapshot Skip, or none taken yet\), so the data is kept$/);
  });
});

describe("cluster upgrade --wait's progress", () => {
  const at = (status: ClusterUpgradeStatus): Cluster => cluster({ version: newer }, { upgrade: status });
  const previous = upgrade({ from: "1.35.0", to: oldPinned, phase: "Completed", step: "Done", startedTime: "2026-01-01T00:00:00Z" });

  it("prints one line per change of step or message, with the time since the wait began", () => {
    const goal: UpgradeGoal = { kind: "upgrade", pinned: newPinned, previous };
    const state = newUpgradeWatch();
    const lines = [
      upgradeProgressLine(state, at(previous), goal, 0),
      upgradeProgressLine(state, at(upgrade({ step: "Snapshot", message: "taking web-pre-upgrade" })), goal, 1_000),
      upgradeProgressLine(state, at(upgrade({ step: "Snapshot", message: "taking web-pre-upgrade" })), goal, 2_000),
      upgradeProgressLine(state, at(upgrade({ step: "APIServer", message: `rolling kube-apiserver (1 of 2 replicas at ${newPinned})` })), goal, 12_400),
      upgradeProgressLine(state, at(upgrade({ step: "NodePools" })), goal, 185_000),
    ];
    expect(lines).toEqual([undefined, "[1s] Snapshot: taking web-pre-upgrade", undefined, `[12s] APIServer: rolling kube-apiserver (1 of 2 replicas at ${newPinned})`, "[3m05s] NodePools"]);
  });

  it.each([
    { what: "Completed", status: upgrade({ phase: "Completed", step: "Done" }), outcome: { done: true } },
    { what: "Failed, with the message and the way back", status: upgrade({ phase: "Failed", message: "deadline 30m passed" }), outcome: { done: false, message: `the upgrade of cluster web to ${newPinned} failed at step APIServer: deadline 30m passed; roll it back: seedbed cluster rollback web --project demo` } },
    { what: "rolled back meanwhile", status: upgrade({ phase: "RollingBack" }), outcome: { done: false, message: `the upgrade of cluster web to ${newPinned} was rolled back to ${oldPinned} meanwhile (spec.version set back); follow it: seedbed cluster rollback web --project demo --wait` } },
    { what: "its rollback failed", status: upgrade({ phase: "Failed", rollback: true }), outcome: { done: false, message: expect.stringContaining("was rolled back to") as unknown } },
    { what: "not yet (Upgrading)", status: upgrade({}), outcome: undefined },
    { what: "not yet (the earlier upgrade's record)", status: previous, outcome: undefined },
  ])("ends an upgrade when its record says $what", ({ status, outcome }) => {
    const goal: UpgradeGoal = { kind: "upgrade", pinned: newPinned, previous };
    const result = upgradeOutcome(newUpgradeWatch(), at(status), goal, "web", "demo");
    if (outcome === undefined) expect(result).toBeUndefined();
    else expect(result).toMatchObject(outcome);
  });

  it("does not take an earlier upgrade to the same version, rolled back, for the new one", () => {
    const rolledBack = upgrade({ phase: "RolledBack", step: "Done", startedTime: "2026-02-01T00:00:00Z" });
    const goal: UpgradeGoal = { kind: "upgrade", pinned: newPinned, previous: rolledBack };
    expect(upgradeOutcome(newUpgradeWatch(), at(rolledBack), goal, "web", "demo")).toBeUndefined();
    expect(upgradeOutcome(newUpgradeWatch(), at(upgrade({ phase: "Completed", step: "Done" })), goal, "web", "demo")).toMatchObject({ done: true });
  });

  it("ends a rollback at RolledBack, and at Failed only once it has begun (the upgrade it undoes may have Failed)", () => {
    const goal: UpgradeGoal = { kind: "rollback", to: oldPinned };
    const state = newUpgradeWatch();
    expect(upgradeOutcome(state, at(upgrade({ phase: "Failed" })), goal, "web", "demo")).toBeUndefined();
    expect(upgradeProgressLine(state, at(upgrade({ phase: "Failed" })), goal, 0)).toBeUndefined();
    expect(upgradeProgressLine(state, at(upgrade({ phase: "RollingBack", step: "NodePools", message: `machines back to ${oldPinned}` })), goal, 4_000)).toBe(`[4s] NodePools: machines back to ${oldPinned}`);
    expect(upgradeOutcome(state, at(upgrade({ phase: "Failed", step: "Snapshot", message: "restore failed" })), goal, "web", "demo")).toEqual({ done: false, message: `the rollback of cluster web to ${oldPinned} failed at step Snapshot: restore failed; see seedbed cluster get web --project demo` });
    expect(upgradeOutcome(newUpgradeWatch(), at(upgrade({ phase: "RolledBack", step: "Done" })), goal, "web", "demo")).toMatchObject({ done: true });
  });

  it.each([
    [0, "0s"], [59_999, "59s"], [60_000, "1m00s"], [3_599_000, "59m59s"], [3_720_000, "1h02m"],
  ])("writes %i ms as %s", (ms, text) => {
    expect(elapsed(ms)).toBe(text);
  });
});

describe("cluster get's upgrade lines", () => {
  it("shows phase, from → to, the step, the snapshot and the restore; nothing without an upgrade", () => {
    expect(upgradeLines(cluster({}))).toEqual([]);
    expect(upgradeLines(cluster({}, { upgrade: upgrade({ message: "rolling", snapshot: "web-pre-1" }) }))).toEqual([
      `Upgrade:   Upgrading ${oldPinned} → ${newPinned}, step APIServer: rolling (started ${started})`,
      "           pre-upgrade snapshot web-pre-1",
    ]);
    expect(upgradeLines(cluster({}, { upgrade: upgrade({ phase: "RolledBack", step: "Done", snapshot: "web-pre-1", restore: "web-rb-1", completionTime: "2026-03-04T05:09:00Z", plan: "fleet" }) }))).toEqual([
      `Upgrade:   RolledBack ${oldPinned} → ${newPinned}, step Done (finished 2026-03-04T05:09:00Z)`,
      "           pre-upgrade snapshot web-pre-1, restored by web-rb-1",
      "           started by UpgradePlan fleet",
    ]);
  });
});
