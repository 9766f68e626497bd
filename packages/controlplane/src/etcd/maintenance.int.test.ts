import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { binaryPath } from "@seedbed/binaries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyMaintenanceMemory, maintenanceMember, rememberMaintenance, runMaintenanceStep, type MaintenanceMemory, type MaintenanceResult } from "./maintenance-run.ts";
import { planMaintenance, type MaintenanceInput, type MaintenancePolicy, type MaintenanceStep } from "./maintenance.ts";
import { TestEtcdCluster } from "./test-cluster.ts";

const MiB = 1024 ** 2;
const quota = 16 * MiB;
// Small numbers for a 16 MiB quota; the interval is 0 so that passes follow each other at once.
const policy: MaintenancePolicy = { defragWhenFreeRatio: 0.5, minFreeBytes: MiB, minIntervalMs: 0, highWaterRatio: 0.8 };
const names = ["m0", "m1", "m2"];

/** A step carried out, with whether its member led the cluster when it was planned. */
interface Done {
  readonly step: MaintenanceStep;
  readonly result: MaintenanceResult;
  readonly wasLeader: boolean;
}

// Three real etcd members with a 16 MiB backend quota, maintained only by
// executing planMaintenance's steps, the way the local driver will.
describe("planMaintenance and runMaintenanceStep against real etcd", () => {
  let cluster: TestEtcdCluster;
  let memory: MaintenanceMemory = emptyMaintenanceMemory;

  beforeAll(async () => {
    cluster = await TestEtcdCluster.create();
    const reserved = await Promise.all(names.map(() => cluster.reserve()));
    const initialCluster = names.map((n, i) => `${n}=${reserved[i]?.peerURL ?? ""}`).join(",");
    for (const [i, name] of names.entries()) {
      const r = reserved[i];
      if (r !== undefined) await cluster.start(name, r, initialCluster, "new", { quotaBackendBytes: quota });
    }
    const deadline = Date.now() + 30_000;
    while (!(await Promise.all(names.map((n) => cluster.healthy(n)))).every(Boolean)) {
      cluster.assertRunning();
      if (Date.now() > deadline) throw new Error(`the members did not become healthy:\n${names.map((n) => `${n}:\n${cluster.log(n)}`).join("\n")}`);
      await sleep(300);
    }
  }, 45_000);

  afterAll(async () => {
    await cluster.stopAll();
  });

  async function observe(): Promise<MaintenanceInput> {
    cluster.assertRunning();
    const members = await Promise.all(names.map(async (name) => {
      const endpoint = cluster.members.get(name)?.clientURL ?? "";
      const [status, healthy] = await Promise.all([cluster.etcdctl.status(endpoint).catch(() => undefined), cluster.healthy(name)]);
      return maintenanceMember(name, endpoint, healthy, status, memory);
    }));
    const alarms = await cluster.etcdctl.alarms(cluster.endpoints());
    return { members, alarms, now: Date.now(), policy, lastCompaction: memory.lastCompaction };
  }

  /** Plans and runs steps until the plan is "none"; returns what ran. */
  async function maintainUntilDone(maxPasses: number): Promise<Done[]> {
    const done: Done[] = [];
    for (let pass = 0; pass < maxPasses; pass++) {
      const input = await observe();
      const step = planMaintenance(input);
      if (step.kind === "none") return done;
      if (step.kind === "wait") {
        await sleep(300);
        continue;
      }
      const wasLeader = step.kind === "defragment" && input.members.find((m) => m.name === step.member)?.status?.isLeader === true;
      const result = await runMaintenanceStep(cluster.etcdctl, cluster.endpoints(), step);
      memory = rememberMaintenance(memory, result, Date.now());
      done.push({ step, result, wasLeader });
    }
    throw new Error(`maintenance did not settle in ${String(maxPasses)} passes: ${JSON.stringify(planMaintenance(await observe()))}`);
  }

  /**
   * Writes `count` keys of `bytes` each in transactions of ten. etcdctl txn
   * reads stdin: compares, a blank line, the success ops, a blank line, the
   * failure ops, a blank line; values there may exceed an argument's size limit.
   */
  async function fill(prefix: string, count: number, bytes: number): Promise<void> {
    for (let i = 0; i < count; i += 10) {
      const puts = Array.from({ length: Math.min(10, count - i) }, (_, k) => `put ${prefix}${String(i + k).padStart(5, "0")} ${"x".repeat(bytes)}`);
      await txn(`\n${puts.join("\n")}\n\n\n`);
    }
  }

  function txn(stdin: string): Promise<void> {
    const tls = cluster.tls;
    const args = ["txn", `--endpoints=${cluster.endpoints().join(",")}`, `--cacert=${tls.caFile}`, `--cert=${tls.certFile}`, `--key=${tls.keyFile}`, "--command-timeout=10s"];
    return new Promise((resolve, reject) => {
      const child = spawn(binaryPath("etcdctl"), args, { stdio: ["pipe", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`etcdctl txn: ${stderr.trim()}`))));
      child.stdin.end(stdin);
    });
  }

  const sizes = async (): Promise<number[]> => Promise.all(names.map(async (n) => (await cluster.etcdctl.status(cluster.members.get(n)?.clientURL ?? "")).dbSize));

  it("defragments every member after many deleted keys, followers first and the leader last, and the files shrink", async () => {
    await fill("churn/", 60, 100 * 1024);
    await cluster.put(cluster.endpoints(), "keep/me", "still here");
    await deleteAll("churn/");
    // What kube-apiserver's compactor does every 5 minutes: compact the history, leaving free pages behind.
    const { revision } = await cluster.etcdctl.status(cluster.endpoints()[0] ?? "");
    expect(await cluster.etcdctl.compact(cluster.endpoints(), revision)).toBe("compacted");
    expect(await cluster.etcdctl.compact(cluster.endpoints(), revision)).toBe("already-compacted");
    // bbolt counts the pages a compaction freed as free only once later write transactions
    // commit (etcd commits its batch every 100 ms); a live cluster writes all the time.
    for (let i = 0; i < 3; i++) {
      await cluster.put(cluster.endpoints(), "keep/me", "still here");
      await sleep(150);
    }
    const before = await sizes();
    expect(Math.min(...before)).toBeGreaterThan(5 * MiB);

    const done = await maintainUntilDone(12);

    expect(done.map((d) => d.step.kind)).toEqual(["defragment", "defragment", "defragment"]);
    expect(done.map((d) => d.wasLeader)).toEqual([false, false, true]);
    expect(new Set(done.map((d) => (d.step.kind === "defragment" ? d.step.member : "")))).toEqual(new Set(names));
    for (const d of done) {
      if (d.result.kind !== "defragmented") throw new Error(`unexpected result ${JSON.stringify(d.result)}`);
      expect(d.result.dbSizeAfter).toBeLessThan(d.result.dbSizeBefore / 2);
    }
    expect(Math.max(...(await sizes()))).toBeLessThan(Math.min(...before) / 2);
    expect(await cluster.get(cluster.endpoints(), "keep/me")).toBe("still here");
  }, 60_000);

  it("recovers from NOSPACE: compacts, defragments followers then the leader, disarms, and writes work again", async () => {
    // Fill past the quota: etcd refuses the write that would cross it and raises NOSPACE cluster-wide.
    let refused: Error | undefined;
    for (let batch = 0; batch < 40 && refused === undefined; batch++) {
      await fill(`full/${String(batch).padStart(3, "0")}/`, 10, 100 * 1024).catch((error: unknown) => {
        refused = error instanceof Error ? error : new Error(String(error));
      });
    }
    expect(refused?.message).toMatch(/database space exceeded/);
    expect((await cluster.etcdctl.alarms(cluster.endpoints())).map((a) => a.alarm)).toContain("NOSPACE");
    await expect(cluster.put(cluster.endpoints(), "small", "1")).rejects.toThrow(/database space exceeded/);

    // Deletes are allowed under NOSPACE; the space comes back only through compaction and defragmentation.
    await deleteAll("full/");
    const done = await maintainUntilDone(16);

    const kinds = done.map((d) => d.step.kind);
    expect(kinds[0]).toBe("compact");
    expect(kinds.slice(1)).toEqual(["defragment", "defragment", "defragment", "disarm"]);
    expect(done.filter((d) => d.step.kind === "defragment").map((d) => d.wasLeader)).toEqual([false, false, true]);
    const disarmed = done.at(-1)?.result;
    expect(disarmed?.kind === "disarmed" ? disarmed.alarms.map((a) => a.alarm) : []).toContain("NOSPACE");
    expect(await cluster.etcdctl.alarms(cluster.endpoints())).toEqual([]);
    await cluster.put(cluster.endpoints(), "small", "1");
    expect(await cluster.get(cluster.endpoints(), "small")).toBe("1");
    expect(await cluster.get(cluster.endpoints(), "keep/me")).toBe("still here");
    for (const size of await sizes()) expect(size).toBeLessThan(quota * policy.highWaterRatio);
  }, 75_000);

  function deleteAll(prefix: string): Promise<void> {
    return txn(`\ndel ${prefix} --prefix\n\n\n`);
  }
});
