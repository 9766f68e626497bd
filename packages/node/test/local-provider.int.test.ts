import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProcessesByMarker } from "@seedbed/controlplane";
import { eventually } from "@seedbed/testing";
import { afterAll, describe, expect, it } from "vitest";
import { LocalMachineProvider } from "../src/index.ts";

// The provider's bookkeeping, with user data the agent refuses before it
// starts anything on the machine (no root, no tenant needed): what a
// crash at each step leaves, and what the next call makes of it.
describe("the local machine provider's records", () => {
  const root = mkdtempSync(join(tmpdir(), "seedbed-machines-"));
  const provider = new LocalMachineProvider(root);
  const pool = { namespace: "project-a", name: "workers", clusterId: "a--c" };
  const request = (name: string, userData: string) => ({ name, pool, template: { cpu: "1", memory: "1Gi", pods: 10 }, kubernetesVersion: "1.37.1", userData });
  const agents = (name: string): number[] => findProcessesByMarker(`seedbed-machine:${join(root, pool.clusterId, name)}`);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reports a machine whose user data it cannot carry out as Failed, saying why, and removes it whole", async () => {
    const made = await provider.create(request("w-1", "#cloud-config\nruncmd:\n  - [systemctl, enable, --now, nginx]\n"));
    expect(made).toMatchObject({ name: "w-1", nodeName: "w-1", providerID: "local://a--c/w-1" });
    const failed = await eventually(async () => (await provider.list(pool))[0], (m) => m?.phase === "Failed", { timeoutMs: 30_000, description: "w-1 Failed" });
    expect(failed?.message).toMatch(/starts nginx, which a local machine does not have/);
    // A retried create of the same name is the same machine: no second agent, no restart of a failed one.
    await provider.create(request("w-1", "#cloud-config\n"));
    expect(agents("w-1")).toEqual([]);
    expect((await provider.list(pool)).map((m) => m.phase)).toEqual(["Failed"]);
    await provider.delete(pool, failed ?? made);
    expect(await provider.list(pool)).toEqual([]);
    expect(readdirSync(join(root, pool.clusterId))).toEqual([]);
  });

  it("drops a machine staged by a create that crashed before renaming it, and starts the agent of one renamed but never started", async () => {
    const clusterDir = join(root, pool.clusterId);
    // Crash 1: staged, never renamed.
    mkdirSync(join(clusterDir, "w-2.new"), { recursive: true });
    writeFileSync(join(clusterDir, "w-2.new", "user-data"), "#cloud-config\n");
    // Crash 2: renamed into place, its agent never started.
    mkdirSync(join(clusterDir, "w-3"), { recursive: true });
    writeFileSync(join(clusterDir, "w-3", "user-data"), "#cloud-config\n");
    writeFileSync(join(clusterDir, "w-3", "machine.json"), JSON.stringify({ name: "w-3", pool, kubernetesVersion: "1.37.1", createdAt: new Date().toISOString() }));
    const listed = await provider.list(pool);
    expect(listed.map((m) => m.name)).toEqual(["w-3"]);
    expect(readdirSync(clusterDir)).toEqual(["w-3"]);
    // Its agent ran (and refused user data that starts no kubelet): the machine did not stay Pending forever.
    const failed = await eventually(async () => (await provider.list(pool))[0], (m) => m?.phase === "Failed", { timeoutMs: 30_000, description: "w-3 Failed" });
    expect(failed?.message).toMatch(/never starts the kubelet/);
    expect(failed).toBeDefined();
    if (failed) await provider.delete(pool, failed);
    expect(readdirSync(clusterDir)).toEqual([]);
  });
});
