import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterCAFile, clusterCAsDir, platformKey, readCA, readCAState, storeClusterCA } from "./files.ts";
import { withCertificateAuthorityFile } from "./kubeconfig-file.ts";

describe("where a cluster's CA file lives", () => {
  it.each([
    { server: "https://127.0.0.1:6443", key: "127.0.0.1_6443" },
    { server: "https://API.example.com", key: "api.example.com_443" },
    { server: "https://[::1]:6443/", key: "___1__6443" },
    { server: "https://h:1/some/prefix", key: "h_1_some_prefix" },
  ])("a platform at $server is $key", ({ server, key }) => {
    expect(platformKey(server)).toBe(key);
  });

  it("is per platform, project and cluster, in cluster-cas/ of $SEEDBED_HOME (not in credentials/, which logout removes)", () => {
    const root = clusterCAsDir({ SEEDBED_HOME: "/h", SEEDBED_CREDENTIALS: "/c" });
    expect(root).toBe("/h/cluster-cas");
    expect(clusterCAFile(root, "https://127.0.0.1:6443", "a", "web")).toBe("/h/cluster-cas/127.0.0.1_6443/a/web/ca.crt");
  });
});

describe("storing a CA handed out", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("writes the bundle (0600) and its state beside it in a 0700 directory, replacing an earlier one whole", () => {
    const root = mkdtempSync(join(tmpdir(), "seedbed-ca-files-"));
    dirs.push(root);
    const file = clusterCAFile(root, "https://127.0.0.1:6443", "a", "web");
    const state = { server: "https://127.0.0.1:6443", project: "a", cluster: "web", checkedAt: "2030-01-01T00:00:00.000Z" };
    storeClusterCA(file, "OLD", state);
    storeClusterCA(file, "NEW", { ...state, checkedAt: "2030-01-02T00:00:00.000Z" });
    expect(readCA(file)).toBe("NEW");
    expect(readCAState(file)).toEqual({ ...state, checkedAt: "2030-01-02T00:00:00.000Z" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    // No temporary file left behind.
    expect(readdirSync(dirname(file)).sort()).toEqual(["ca.crt", "check.json"]);
  });

  it("reads no state from a file that is not one", () => {
    const root = mkdtempSync(join(tmpdir(), "seedbed-ca-files-"));
    dirs.push(root);
    expect(readCAState(join(root, "ca.crt"))).toBeUndefined();
    writeFileSync(join(root, "check.json"), JSON.stringify({ server: "s", project: "a" }));
    expect(readCAState(join(root, "ca.crt"))).toBeUndefined();
    expect(readCA(join(root, "ca.crt"))).toBeUndefined();
    expect(readFileSync(join(root, "check.json"), "utf8")).toContain("server");
  });
});

describe("a kubeconfig naming its CA file", () => {
  it("has certificate-authority instead of certificate-authority-data, everything else unchanged", () => {
    const kubeconfig = "clusters:\n  - name: web\n    cluster:\n      server: https://127.0.0.1:1\n      certificate-authority-data: Q0E=\n      tls-server-name: web.localhost\nusers: []\n";
    const file = parse(withCertificateAuthorityFile(kubeconfig, "/h/ca.crt")) as { clusters: { name: string; cluster: Record<string, string> }[]; users: unknown[] };
    expect(file.clusters).toEqual([{ name: "web", cluster: { server: "https://127.0.0.1:1", "tls-server-name": "web.localhost", "certificate-authority": "/h/ca.crt" } }]);
    expect(file.users).toEqual([]);
  });
});
