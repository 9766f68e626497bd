import type { ClusterUpgradeStatus } from "@seedbed/api";
import type { ComponentHealth } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import { advanceUpgrade, beginUpgrade, versionsAt, type UpgradeObservation } from "./steps.ts";

const now = "2026-11-29T12:00:00.000Z";
const started = "2026-11-29T11:59:00.000Z";
const record = (fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => ({ from: "1.36.3", to: "1.37.1", phase: "Upgrading", step: "Snapshot", startedTime: started, ...fields });
const at = (name: string, version: string, ready = true): ComponentHealth => ({ name, running: true, ready, restarts: 0, ...(ready ? { version } : {}) });
const all = (version: string): ComponentHealth[] => ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map((n) => at(n, version));
const seen = (fields: Partial<UpgradeObservation>): UpgradeObservation => ({ components: all("1.36.3"), poolsBehind: [], canRestore: true, etcdVersion: "3.6.16", now, deadlineMs: 30 * 60_000, ...fields });

describe("beginUpgrade", () => {
  const cases: { title: string; start: Parameters<typeof beginUpgrade>[0]; phase?: string; step?: string; rollback?: boolean }[] = [
    { title: "a cluster never Ready starts nothing", start: { target: "1.37.1", running: undefined, upgrade: undefined, snapshot: "Required", now } },
    { title: "a cluster at its version starts nothing", start: { target: "1.37.1", running: "1.37.1", upgrade: undefined, snapshot: "Required", now } },
    { title: "a new version starts at the snapshot", start: { target: "1.37.1", running: "1.36.3", upgrade: undefined, snapshot: "Required", now }, phase: "Upgrading", step: "Snapshot" },
    { title: "no snapshot asked for starts at etcd", start: { target: "1.37.1", running: "1.36.3", upgrade: undefined, snapshot: "Skip", now }, phase: "Upgrading", step: "Etcd" },
    { title: "an upgrade under way to the target goes on", start: { target: "1.37.1", running: "1.36.3", upgrade: record({ step: "APIServer" }), snapshot: "Required", now } },
    { title: "the spec back at from rolls an upgrade under way back", start: { target: "1.36.3", running: "1.36.3", upgrade: record({ step: "APIServer" }), snapshot: "Required", now }, phase: "RollingBack", step: "NodePools", rollback: true },
    { title: "the spec back at from rolls a completed upgrade back", start: { target: "1.36.3", running: "1.37.1", upgrade: record({ phase: "Completed", step: "Done" }), snapshot: "Required", now }, phase: "RollingBack", step: "NodePools", rollback: true },
    { title: "a stopped upgrade stays stopped", start: { target: "1.37.1", running: "1.36.3", upgrade: record({ phase: "Failed", step: "APIServer" }), snapshot: "Required", now } },
    { title: "a rolled-back cluster upgraded again starts afresh", start: { target: "1.37.1", running: "1.36.3", upgrade: record({ phase: "RolledBack", step: "Done", rollback: true }), snapshot: "Required", now }, phase: "Upgrading", step: "Snapshot" },
  ];
  it.each(cases)("$title", ({ start, phase, step, rollback }) => {
    const begun = beginUpgrade(start);
    expect(begun?.phase).toBe(phase);
    expect(begun?.step).toBe(step);
    if (begun !== undefined) {
      expect(begun.rollback).toBe(rollback);
      expect(begun.startedTime).toBe(now);
      expect(begun.completionTime).toBeUndefined();
    }
  });
});

describe("versionsAt", () => {
  const cases: { step: ClusterUpgradeStatus["step"]; rollback?: boolean; running: string; apiServer: string; controllers: string }[] = [
    { step: "Snapshot", running: "1.36.3", apiServer: "1.36.3", controllers: "1.36.3" },
    { step: "APIServer", running: "1.36.3", apiServer: "1.37.1", controllers: "1.36.3" },
    { step: "Controllers", running: "1.36.3", apiServer: "1.37.1", controllers: "1.37.1" },
    { step: "NodePools", running: "1.37.1", apiServer: "1.37.1", controllers: "1.37.1" },
    // Rolling back: kube-apiserver stays where it runs until no kubelet is newer than `from`; controllers go back at once.
    { step: "NodePools", rollback: true, running: "1.37.1", apiServer: "1.37.1", controllers: "1.36.3" },
    { step: "NodePools", rollback: true, running: "1.36.3", apiServer: "1.36.3", controllers: "1.36.3" },
    { step: "Snapshot", rollback: true, running: "1.37.1", apiServer: "1.36.3", controllers: "1.36.3" },
  ];
  it.each(cases)("$step (rollback: $rollback, running $running)", ({ step, rollback, running, apiServer, controllers }) => {
    expect(versionsAt(record({ step, ...(rollback === true ? { rollback, phase: "RollingBack" } : {}) }), running)).toEqual({ apiServer, controllers });
  });
});

describe("advanceUpgrade", () => {
  const cases: { title: string; upgrade: ClusterUpgradeStatus; running?: string; seen: UpgradeObservation; step: string; phase?: string; runs?: string; action?: string; message?: RegExp }[] = [
    { title: "asks for the snapshot", upgrade: record({}), seen: seen({}), step: "Snapshot", action: "createSnapshot" },
    { title: "waits for the snapshot", upgrade: record({}), seen: seen({ snapshot: { name: "s", phase: "Running" } }), step: "Snapshot", message: /taking the pre-upgrade snapshot s/ },
    { title: "a failed snapshot holds the upgrade", upgrade: record({}), seen: seen({ snapshot: { name: "s", phase: "Failed", message: "bucket gone" } }), step: "Snapshot", message: /failed: bucket gone.*snapshot to Skip/ },
    { title: "a completed snapshot moves on to etcd", upgrade: record({}), seen: seen({ snapshot: { name: "s", phase: "Completed" } }), step: "Etcd", message: /etcd 3\.6\.16 serves both versions/ },
    { title: "etcd unchanged: kube-apiserver next", upgrade: record({ step: "Etcd" }), seen: seen({}), step: "APIServer" },
    { title: "kube-apiserver still rolling", upgrade: record({ step: "APIServer" }), seen: seen({ components: [at("kube-apiserver", "1.37.1", false)] }), step: "APIServer", runs: "1.36.3" },
    { title: "kube-apiserver ready on the old version is not done", upgrade: record({ step: "APIServer" }), seen: seen({}), step: "APIServer" },
    { title: "kube-apiserver on the new version: controllers next", upgrade: record({ step: "APIServer" }), seen: seen({ components: [at("kube-apiserver", "1.37.1")] }), step: "Controllers", runs: "1.36.3" },
    { title: "one of three kube-apiserver replicas still on the old version: not done", upgrade: record({ step: "APIServer" }), seen: seen({ components: [at("kube-apiserver", "1.37.1"), at("kube-apiserver-1", "1.36.3"), at("kube-apiserver-2", "1.37.1")] }), step: "APIServer", runs: "1.36.3" },
    { title: "every kube-apiserver replica on the new version: controllers next", upgrade: record({ step: "APIServer" }), seen: seen({ components: [at("kube-apiserver", "1.37.1"), at("kube-apiserver-1", "1.37.1"), at("kube-apiserver-2", "1.37.1")] }), step: "Controllers", runs: "1.36.3" },
    { title: "the control plane on the new version: status.version moves", upgrade: record({ step: "Controllers" }), seen: seen({ components: all("1.37.1") }), step: "NodePools", runs: "1.37.1" },
    { title: "node pools behind", upgrade: record({ step: "NodePools" }), running: "1.37.1", seen: seen({ components: all("1.37.1"), poolsBehind: ["workers 1/3"] }), step: "NodePools", message: /workers 1\/3/ },
    { title: "node pools done: completed", upgrade: record({ step: "NodePools" }), running: "1.37.1", seen: seen({ components: all("1.37.1") }), step: "Done", phase: "Completed", runs: "1.37.1" },
    { title: "past the deadline it stops", upgrade: record({ step: "APIServer" }), seen: seen({ deadlineMs: 30_000, components: [at("kube-apiserver", "1.37.1", false)] }), step: "APIServer", phase: "Failed", message: /stopped at step APIServer.*past its deadline.*seedbed cluster rollback/ },
    { title: "rollback waits for node pools", upgrade: record({ step: "NodePools", phase: "RollingBack", rollback: true, snapshot: "s" }), running: "1.37.1", seen: seen({ poolsBehind: ["workers 0/3"] }), step: "NodePools", runs: "1.37.1" },
    { title: "rollback restores the snapshot", upgrade: record({ step: "NodePools", phase: "RollingBack", rollback: true, snapshot: "s" }), running: "1.37.1", seen: seen({}), step: "Snapshot", action: "createRestore" },
    { title: "rollback on a driver that cannot restore keeps the data", upgrade: record({ step: "NodePools", phase: "RollingBack", rollback: true, snapshot: "s" }), running: "1.37.1", seen: seen({ canRestore: false }), step: "APIServer", message: /cannot restore etcd yet, so the data is kept/ },
    { title: "rollback after the restore: the control plane goes back", upgrade: record({ step: "Snapshot", phase: "RollingBack", rollback: true, snapshot: "s" }), running: "1.37.1", seen: seen({ restore: { name: "r", phase: "Completed" } }), step: "APIServer" },
    { title: "rollback done", upgrade: record({ step: "APIServer", phase: "RollingBack", rollback: true, snapshot: "s" }), running: "1.37.1", seen: seen({}), step: "Done", phase: "RolledBack", runs: "1.36.3" },
  ];
  it.each(cases)("$title", ({ upgrade, running, seen: observed, step, phase, runs, action, message }) => {
    const next = advanceUpgrade(upgrade, running ?? "1.36.3", observed);
    expect(next.upgrade.step).toBe(step);
    expect(next.upgrade.phase).toBe(phase ?? upgrade.phase);
    if (runs !== undefined) expect(next.running).toBe(runs);
    expect(next.action).toBe(action);
    if (message) expect(next.upgrade.message).toMatch(message);
    expect(next.changed).toBe(step !== upgrade.step || (phase ?? upgrade.phase) !== upgrade.phase);
  });

  it("a stopped upgrade changes nothing", () => {
    const failed = record({ phase: "Failed", step: "APIServer", message: "stopped" });
    expect(advanceUpgrade(failed, "1.36.3", seen({ components: all("1.37.1") }))).toEqual({ upgrade: failed, running: "1.36.3", changed: false });
  });
});
