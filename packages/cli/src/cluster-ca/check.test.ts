import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { keepClusterCACurrent } from "./check.ts";
import { clusterCAFile, readCAState, storeClusterCA } from "./files.ts";

// The checks before any request (the requests themselves run against a
// real API server in test/kubeconfig.int.test.ts).
describe("keeping a CA file current, before any request", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const server = "https://127.0.0.1:6443";
  const setUp = (checkedAt: string): { env: NodeJS.ProcessEnv; caFile: string } => {
    const home = mkdtempSync(join(tmpdir(), "seedbed-ca-check-"));
    dirs.push(home);
    const caFile = clusterCAFile(join(home, "cluster-cas"), server, "a", "web");
    storeClusterCA(caFile, "CA", { server, project: "a", cluster: "web", checkedAt });
    return { env: { SEEDBED_HOME: home }, caFile };
  };
  const now = new Date("2030-01-01T00:10:00.000Z");

  it("leaves a file alone that has no state of this CLI beside it, or one for another cluster", async () => {
    const { env, caFile } = setUp("2030-01-01T00:00:00.000Z");
    expect(await keepClusterCACurrent({ target: { project: "a", cluster: "api", caFile }, token: "t", env, now })).toBe("not-ours");
    expect(await keepClusterCACurrent({ target: { project: "a", cluster: "web", caFile: join(tmpdir(), "nowhere", "ca.crt") }, token: "t", env, now })).toBe("not-ours");
    expect(readCAState(caFile)?.checkedAt).toBe("2030-01-01T00:00:00.000Z");
  });

  it("does nothing within the interval, and records the check before it reads once due", async () => {
    const { env, caFile } = setUp("2030-01-01T00:09:30.000Z");
    const target = { project: "a", cluster: "web", caFile };
    expect(await keepClusterCACurrent({ target, token: "t", env, now, intervalMs: 60_000 })).toBe("not-due");
    expect(readCAState(caFile)?.checkedAt).toBe("2030-01-01T00:09:30.000Z");
    // Due, but nobody is logged in here: the check is recorded all the same, and the file stays.
    expect(await keepClusterCACurrent({ target, token: "t", env: { ...env, SEEDBED_CREDENTIALS: join(env.SEEDBED_HOME ?? "", "none") }, now: new Date("2030-01-01T00:11:00.000Z") })).toBe("no-session");
    expect(readCAState(caFile)?.checkedAt).toBe("2030-01-01T00:11:00.000Z");
    expect(readFileSync(caFile, "utf8")).toBe("CA");
  });

  it("never reads through a login to another platform", async () => {
    const { env, caFile } = setUp("2030-01-01T00:00:00.000Z");
    const credentials = join(env.SEEDBED_HOME ?? "", "credentials");
    mkdirSync(credentials);
    writeFileSync(join(credentials, "management.kubeconfig"), stringify({ clusters: [{ name: "seedbed", cluster: { server: "https://10.0.0.1:6443" } }] }));
    expect(await keepClusterCACurrent({ target: { project: "a", cluster: "web", caFile }, token: "t", env, now })).toBe("other-platform");
    expect(readFileSync(caFile, "utf8")).toBe("CA");
  });
});
