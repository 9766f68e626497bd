import { setTimeout as sleep } from "node:timers/promises";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { installCRDs, type UpgradePlan } from "@seedbed/api";
import { eventually, run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;
const coordinates = { group: "seedbed.dev", version: "v1alpha1", plural: "upgradeplans" };

/**
 * `seedbed upgrade plan …` against a real management API with the CRDs.
 * No operator runs: the test writes the plans' status as the operator
 * would, so what is tested is what the CLI creates, changes and prints.
 */
describe("seedbed upgrade plan", () => {
  const api = useKubeAPI();
  const seedbed = (...args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const readPlan = async (name: string): Promise<UpgradePlan> => (await objects().getClusterCustomObject({ ...coordinates, name })) as UpgradePlan;
  const setStatus = async (name: string, status: NonNullable<UpgradePlan["status"]>): Promise<void> => {
    await objects().patchClusterCustomObjectStatus({ ...coordinates, name, body: [{ op: "add", path: "/status", value: status }] });
  };
  const ready = (status: "True" | "False", reason: string, message: string): NonNullable<UpgradePlan["status"]>["conditions"] => [{ type: "Ready", status, reason, message, lastTransitionTime: new Date().toISOString() }];
  const entry = (name: string, wave: number, state: string, message?: string): NonNullable<NonNullable<UpgradePlan["status"]>["clusters"]>[number] =>
    ({ namespace: "project-a", name, wave, state, from: "1.36.3", ...(message === undefined ? {} : { message }) }) as NonNullable<NonNullable<UpgradePlan["status"]>["clusters"]>[number];

  beforeAll(async () => {
    await installCRDs(api().kubeConfig());
  });

  it("creates a plan from its flags, leaving the rest to the CRD's defaults", async () => {
    const done = await seedbed("upgrade", "plan", "create", "fleet", "--version", "1.37", "--selector", "env=prod", "--project", "a", "--project", "b", "--batch-size", "30%", "--soak", "2m");
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout).toBe("UpgradePlan fleet created: moves selector env=prod in projects a, b; canary 1, batch 30%, soak 2m, maxFailures 1, onFailure Halt to 1.37.\nFollow it: seedbed upgrade plan get fleet --watch\n");
    expect((await readPlan("fleet")).spec).toEqual({ version: "1.37", clusterSelector: { matchLabels: { env: "prod" } }, projects: ["a", "b"], canary: 1, batchSize: "30%", soak: "2m", maxFailures: 1, onFailure: "Halt", paused: false });
  });

  it("refuses a bad flag with a usage error naming it, and creates nothing", async () => {
    const refused = await seedbed("upgrade", "plan", "create", "other", "--version", "1.37", "--batch-size", "0");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('seedbed: --batch-size must be a count of clusters per wave such as 3 (1 to 9999) or a percentage of the selected clusters such as 25% (1% to 100%), got "0"\n');
    await expect(readPlan("other")).rejects.toThrow();
    const taken = await seedbed("upgrade", "plan", "create", "fleet", "--version", "1.37");
    expect(taken.status).toBe(4);
  });

  it("lists plans and shows one: its standing and each cluster by wave", async () => {
    await setStatus("fleet", {
      phase: "Soaking",
      currentWave: 0,
      waves: 2,
      soakUntil: "2026-11-29T12:04:00Z",
      counts: { selected: 2, pending: 1, upgrading: 1, upgraded: 0, failed: 0 },
      conditions: ready("False", "Soaking", "wave 0 of 2 (0 is the canary when there is one) soaks for 2m; 0 of 2 cluster(s) at 1.37"),
      clusters: [entry("web", 0, "Soaking", "healthy; soaks until 2026-11-29T12:04:00.000Z"), entry("api", 1, "Pending")],
    });
    const list = await seedbed("upgrade", "plan", "list");
    expect(list.status).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^NAME\s+VERSION\s+PHASE\s+WAVE\s+WAVES\s+SELECTED\s+UPGRADED\s+FAILED\s+AGE$/);
    expect(list.stdout.split("\n")[1]).toMatch(/^fleet\s+1\.37\s+Soaking\s+0\s+2\s+2\s+0\s+0\s+\d+s$/);
    const get = await seedbed("upgrade", "plan", "get", "fleet");
    expect(get.status).toBe(0);
    expect(get.stdout).toContain("UpgradePlan fleet to 1.37: phase Soaking, wave 0 of 2 (0 is the canary), soaks until 2026-11-29T12:04:00Z: 0 of 2 upgraded, 1 upgrading, 1 pending, 0 failed\n");
    expect(get.stdout).toMatch(/\n0\s+a\/web\s+Soaking\s+1\.36\.3\s+healthy; soaks until 2026-11-29T12:04:00\.000Z\n1\s+a\/api\s+Pending\s+1\.36\.3\n$/);
    expect(JSON.parse((await seedbed("upgrade", "plan", "get", "fleet", "-o", "json")).stdout)).toMatchObject({ kind: "UpgradePlan", status: { phase: "Soaking" } });
  });

  it("pauses and resumes a plan", async () => {
    const pause = await seedbed("upgrade", "plan", "pause", "fleet");
    expect(pause.stdout).toBe("UpgradePlan fleet paused: no new cluster starts; upgrades under way finish. Resume: seedbed upgrade plan resume fleet\n");
    expect((await readPlan("fleet")).spec.paused).toBe(true);
    expect((await seedbed("upgrade", "plan", "resume", "fleet")).status).toBe(0);
    expect((await readPlan("fleet")).spec.paused).toBe(false);
    const missing = await seedbed("upgrade", "plan", "pause", "ghost");
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe("seedbed: upgrade plan ghost not found\n");
  });

  it("follows a plan with get --watch, printing each change, and exits 8 once it halted", async () => {
    const following = seedbed("upgrade", "plan", "get", "fleet", "--watch", "--timeout", "60s");
    await sleep(1500);
    await setStatus("fleet", {
      phase: "Halted",
      currentWave: 1,
      waves: 2,
      counts: { selected: 2, pending: 0, upgrading: 0, upgraded: 1, failed: 1 },
      conditions: ready("False", "Halted", "halted after 1 failure(s) (maxFailures 1): project-a/api (the upgrade failed: stuck)"),
      clusters: [entry("web", 0, "Upgraded", "at 1.37.1; healthy through the soak"), entry("api", 1, "Failed", "the upgrade failed: stuck")],
    });
    const done = await following;
    expect(done.status).toBe(8);
    // Printed as a change, or in the table when the plan had halted before the command read it.
    expect(done.stdout).toMatch(/a\/api\b.*Failed\b.*the upgrade failed: stuck\n/);
    expect(done.stderr).toBe("seedbed: upgrade plan fleet halted: halted after 1 failure(s) (maxFailures 1): project-a/api (the upgrade failed: stuck); see seedbed upgrade plan get fleet\n");
  });

  it("with create --wait, follows the plan until it has completed", async () => {
    const creating = seedbed("upgrade", "plan", "create", "quick", "--version", "1.37", "--canary", "0", "--wait", "--timeout", "60s");
    await eventually(() => readPlan("quick"), (p) => p.metadata.name === "quick", { timeoutMs: 30_000, description: "plan quick created" });
    await sleep(1000);
    await setStatus("quick", { phase: "Completed", waves: 1, counts: { selected: 1, pending: 0, upgrading: 0, upgraded: 1, failed: 0 }, conditions: ready("True", "Completed", "every selected cluster is at 1.37"), clusters: [entry("web", 0, "Upgraded")] });
    const done = await creating;
    expect(done.stderr).toBe("");
    expect(done.status).toBe(0);
    expect(done.stdout.endsWith("UpgradePlan quick completed: every selected cluster is at 1.37\n")).toBe(true);
  });

  it("deletes a plan", async () => {
    const deleted = await seedbed("upgrade", "plan", "delete", "quick");
    expect(deleted.stdout).toBe("UpgradePlan quick deleted: no new cluster starts; upgrades it started finish on their own.\n");
    await eventually(() => readPlan("quick").then(() => false, () => true), Boolean, { timeoutMs: 10_000, description: "plan quick gone" });
  });
});
