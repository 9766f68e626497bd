import type { Cluster, ClusterUpgradeStatus } from "@seedbed/api";
import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.ts";
import { rollbackTarget, upgradeRefusal } from "./upgrade.ts";

function cluster(version: string | undefined, status?: Cluster["status"]): Cluster {
  return { apiVersion: "seedbed.dev/v1alpha1", kind: "Cluster", metadata: { name: "web" }, spec: (version === undefined ? {} : { version }) as Cluster["spec"], ...(status === undefined ? {} : { status }) };
}

const record = (fields: Partial<ClusterUpgradeStatus>): ClusterUpgradeStatus => ({ from: "1.36.3", to: "1.37.1", phase: "Upgrading", step: "APIServer", startedTime: "2026-03-04T05:00:00Z", ...fields });

describe("what the upgrade route refuses before admission", () => {
  it.each([
    { what: "the next minor", cluster: cluster("1.36"), version: "1.37", refusal: undefined },
    { what: "a downgrade of a cluster with spec.version (admission's to refuse)", cluster: cluster("1.37"), version: "1.36", refusal: undefined },
    { what: "the version an upgrade under way goes to", cluster: cluster("1.37", { upgrade: record({}) }), version: "1.37.1", refusal: undefined },
    { what: "another version while an upgrade is under way", cluster: cluster("1.37", { upgrade: record({}) }), version: "1.38", refusal: [409, "cluster web: an upgrade to 1.37.1 is under way (step APIServer); upgrade once it is done"] },
    { what: "another version while a rollback is under way", cluster: cluster("1.36.3", { upgrade: record({ phase: "RollingBack", rollback: true }) }), version: "1.37", refusal: [409, "cluster web: a rollback to 1.36.3 is under way (step APIServer); upgrade once it is done"] },
    { what: "a downgrade from the running version, spec.version unset", cluster: cluster(undefined, { version: "1.37.1" }), version: "1.36", refusal: [422, "cannot downgrade from 1.37.1 to 1.36: Kubernetes supports upgrades only; only the last upgrade can be undone (POST …/clusters/web/rollback)"] },
    { what: "the version the cluster already runs", cluster: cluster("1.37", { version: "1.37.1" }), version: "1.37.1", refusal: [409, "cluster web already runs 1.37.1: nothing to upgrade"] },
    { what: "the minor the cluster already runs at its pinned patch", cluster: cluster("1.37", { version: "1.37.1" }), version: "1.37", refusal: [409, "cluster web already runs 1.37.1: nothing to upgrade"] },
    { what: "the running version written into a spec without one (a pin)", cluster: cluster(undefined, { version: "1.37.1" }), version: "1.37.1", refusal: undefined },
    { what: "a skipped minor from the running version, spec.version unset", cluster: cluster(undefined, { version: "1.35.2" }), version: "1.37", refusal: [422, "cannot go from 1.35.2 to 1.37 in one step: upgrade one minor at a time"] },
  ])("$what", ({ cluster: c, version, refusal }) => {
    const error = upgradeRefusal(c, version);
    if (refusal === undefined) expect(error).toBeUndefined();
    else expect([error?.status, error?.message, error?.field]).toEqual([...refusal, "spec.version"]);
  });
});

describe("what the rollback route sets spec.version to", () => {
  it.each(["Upgrading", "Failed", "Completed"] as const)("status.upgrade.from while the upgrade is %s", (phase) => {
    expect(rollbackTarget(cluster("1.37", { upgrade: record({ phase }) }))).toBe("1.36.3");
  });

  it("the version it has while a rollback is under way (a patch that changes nothing)", () => {
    expect(rollbackTarget(cluster("1.36", { upgrade: record({ phase: "RollingBack", rollback: true }) }))).toBe("1.36");
  });

  it.each([
    { what: "no upgrade", status: undefined, message: /has no upgrade to roll back/ },
    { what: "a rolled-back upgrade", status: { upgrade: record({ phase: "RolledBack", rollback: true }) }, message: /was rolled back to 1\.36\.3 already/ },
    { what: "a failed rollback", status: { upgrade: record({ phase: "Failed", rollback: true, step: "Snapshot", message: "the restore failed" }) }, message: /^the rollback of cluster web to 1\.36\.3 failed at step Snapshot: the restore failed$/ },
  ])("a 409 for $what", ({ status, message }) => {
    const target = rollbackTarget(cluster("1.37", status));
    expect(target).toBeInstanceOf(HttpError);
    expect((target as HttpError).status).toBe(409);
    expect((target as HttpError).message).toMatch(message);
  });
});
