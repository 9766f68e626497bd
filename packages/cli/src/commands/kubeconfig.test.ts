import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { mergeKubeconfig, mergeKubeconfigFile } from "./kubeconfig.ts";

const incoming = stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "web", cluster: { server: "https://127.0.0.1:10001", "certificate-authority-data": "Q0E=" } }],
  users: [{ name: "web-admin", user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" } }],
  contexts: [{ name: "web-admin@web", context: { cluster: "web", user: "web-admin" } }],
  "current-context": "web-admin@web",
});

describe("mergeKubeconfig", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const target = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-kc-"));
    dirs.push(dir);
    return join(dir, ".kube", "config");
  };

  it("creates the file (owner-only) with one context named after the cluster", () => {
    const path = target();
    expect(mergeKubeconfig(path, incoming, "seedbed-demo-web")).toBe("seedbed-demo-web");
    const merged = parse(readFileSync(path, "utf8")) as { "current-context": string; contexts: { name: string; context: { cluster: string; user: string } }[] };
    expect(merged["current-context"]).toBe("seedbed-demo-web");
    expect(merged.contexts).toEqual([{ name: "seedbed-demo-web", context: { cluster: "seedbed-demo-web", user: "seedbed-demo-web" } }]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("keeps other entries and replaces an earlier copy of the same cluster", () => {
    const path = target();
    mergeKubeconfig(path, incoming, "seedbed-demo-web");
    const existing = parse(readFileSync(path, "utf8")) as Record<string, unknown[]>;
    existing.clusters?.push({ name: "other", cluster: { server: "https://example.com" } });
    writeFileSync(path, stringify(existing));
    mergeKubeconfig(path, incoming.replace("10001", "10002"), "seedbed-demo-web");
    const merged = parse(readFileSync(path, "utf8")) as { clusters: { name: string; cluster: { server: string } }[] };
    expect(merged.clusters.map((c) => c.name).sort()).toEqual(["other", "seedbed-demo-web"]);
    expect(merged.clusters.find((c) => c.name === "seedbed-demo-web")?.cluster.server).toBe("https://127.0.0.1:10002");
  });

  it("gives other entries for the same endpoint the CA file a token kubeconfig names, so its plugin keeps them current too", () => {
    const path = target();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, stringify({
      clusters: [
        { name: "by-hand", cluster: { server: "https://127.0.0.1:10001", "certificate-authority-data": "T0xE" } },
        { name: "elsewhere", cluster: { server: "https://127.0.0.1:10002", "certificate-authority-data": "T0xE" } },
      ],
    }));
    const token = stringify({
      clusters: [{ name: "web", cluster: { server: "https://127.0.0.1:10001", "certificate-authority": "/h/cluster-cas/p/a/web/ca.crt" } }],
      users: [{ name: "seedbed", user: { exec: { command: "node", args: ["seedbed.ts", "token"] } } }],
      contexts: [{ name: "seedbed@web", context: { cluster: "web", user: "seedbed" } }],
    });
    expect(mergeKubeconfigFile(path, token, "seedbed-a-web").refreshed).toEqual(["by-hand"]);
    const merged = parse(readFileSync(path, "utf8")) as { clusters: { name: string; cluster: Record<string, string> }[] };
    expect(merged.clusters).toEqual([
      { name: "by-hand", cluster: { server: "https://127.0.0.1:10001", "certificate-authority": "/h/cluster-cas/p/a/web/ca.crt" } },
      { name: "elsewhere", cluster: { server: "https://127.0.0.1:10002", "certificate-authority-data": "T0xE" } },
      { name: "seedbed-a-web", cluster: { server: "https://127.0.0.1:10001", "certificate-authority": "/h/cluster-cas/p/a/web/ca.crt" } },
    ]);
  });
});
