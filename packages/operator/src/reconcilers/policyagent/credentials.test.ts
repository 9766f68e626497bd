import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { agentKubeconfig, ensurePrivateDir, renewalTime, writeSecretFile } from "./credentials.ts";

describe("an agent's credentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "policyagent-credentials-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders a kubeconfig that holds the server, the CA and the token, and nothing else", () => {
    const text = agentKubeconfig({ server: "https://127.0.0.1:6443", caData: "Q0E=" }, "tok", "project-a");
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getCurrentCluster()).toMatchObject({ server: "https://127.0.0.1:6443", caData: "Q0E=" });
    expect(kc.getCurrentUser()).toMatchObject({ token: "tok" });
    expect(kc.getCurrentUser()?.certData).toBeUndefined();
    expect(agentKubeconfig({ server: "https://x" }, "tok", "n")).toBe(agentKubeconfig({ server: "https://x" }, "tok", "n"));
  });

  it("renews at 80 % of a token's life", () => {
    expect(renewalTime(1000, 1000 + 3_600_000)).toBe(1000 + 2_880_000);
  });

  it("writes secret files private, atomically, and not at all when unchanged", () => {
    const agentDir = join(dir, "uid-1");
    ensurePrivateDir(agentDir);
    expect(statSync(agentDir).mode & 0o777).toBe(0o700);
    const file = join(agentDir, "management.kubeconfig");
    expect(writeSecretFile(file, "one")).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(writeSecretFile(file, "one")).toBe(false);
    expect(writeSecretFile(file, "two")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("two");
    // No temporary file is left behind.
    expect(readdirSync(agentDir)).toEqual(["management.kubeconfig"]);
  });
});
