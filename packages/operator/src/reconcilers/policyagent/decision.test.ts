import { describe, expect, it } from "vitest";
import type { ClusterSync } from "@seedbed/api";
import { needsAgent, revokeDue } from "./decision.ts";

const ref = { namespace: "project-a", name: "p", uid: "u", generation: 1 };
const cluster = (extra: { deleting?: boolean; annotations?: Record<string, string> } = {}): { metadata: { name: string; deletionTimestamp?: Date; annotations?: Record<string, string> } } => ({
  metadata: { name: "c1", ...(extra.deleting === true ? { deletionTimestamp: new Date("2030-01-01T00:00:00Z") } : {}), ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }) },
});
const sync = (spec: ClusterSync["spec"], status?: ClusterSync["status"]): Pick<ClusterSync, "spec" | "status"> => ({ spec, ...(status === undefined ? {} : { status }) });
const policyStatus = { namespace: "project-a", name: "old", uid: "o", observedGeneration: 1, state: "InSync" as const, objects: 2, lastSyncTime: "2030-01-01T00:00:00Z" };

describe("whether a cluster needs a policy agent", () => {
  it.each([
    { title: "a policy selects it", input: { cluster: cluster(), sync: sync({ policies: [ref] }), hasAdminKubeconfig: true }, needed: true },
    { title: "no policy selects it any more, one still listed in status", input: { cluster: cluster(), sync: sync({}, { policies: [policyStatus] }), hasAdminKubeconfig: true }, needed: true },
    { title: "its agent still prunes a policy's objects", input: { cluster: cluster(), sync: sync({ policies: [] }, { pruning: 1 }), hasAdminKubeconfig: true }, needed: true },
    { title: "no ClusterSync: never had a policy", input: { cluster: cluster(), sync: undefined, hasAdminKubeconfig: true }, needed: false },
    { title: "an empty ClusterSync", input: { cluster: cluster(), sync: sync({ policies: [] }, { policies: [], pruning: 0 }), hasAdminKubeconfig: true }, needed: false },
    { title: "being deleted", input: { cluster: cluster({ deleting: true }), sync: sync({ policies: [ref] }), hasAdminKubeconfig: true }, needed: false },
    { title: "gone", input: { cluster: undefined, sync: sync({ policies: [ref] }), hasAdminKubeconfig: true }, needed: false },
    { title: "not serving yet (no admin kubeconfig)", input: { cluster: cluster(), sync: sync({ policies: [ref] }), hasAdminKubeconfig: false }, needed: false },
  ])("$title → $needed", ({ input, needed }) => {
    expect(needsAgent(input)).toBe(needed);
  });
});

describe("whether a revoke is due", () => {
  const account = (revokedFor?: string): { metadata: { annotations?: Record<string, string> } } => ({ metadata: revokedFor === undefined ? {} : { annotations: { "seedbed.dev/revoked-for": revokedFor } } });
  it.each([
    { title: "no revoke asked", annotations: undefined, account: account(), due: false },
    { title: "an empty value asks nothing", annotations: { "seedbed.dev/revoke-agent": "" }, account: account(), due: false },
    { title: "asked, the account made before any revoke", annotations: { "seedbed.dev/revoke-agent": "t1" }, account: account(), due: true },
    { title: "asked again after an earlier revoke", annotations: { "seedbed.dev/revoke-agent": "t2" }, account: account("t1"), due: true },
    { title: "done: the account was made after it", annotations: { "seedbed.dev/revoke-agent": "t2" }, account: account("t2"), due: false },
    { title: "no account: the next one is made with the value", annotations: { "seedbed.dev/revoke-agent": "t1" }, account: undefined, due: false },
  ])("$title → $due", ({ annotations, account: sa, due }) => {
    expect(revokeDue(cluster(annotations === undefined ? {} : { annotations }), sa)).toBe(due);
  });
});
