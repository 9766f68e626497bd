import { describe, expect, it } from "vitest";
import type { RenderedComponent } from "../render/control-plane.ts";
import { isAPIServerReplica, renderLocalTopology, replicaNamesBeyond } from "./topology.ts";

const component = (name: string, args: string[], url: string): RenderedComponent => ({ spec: { name, command: `/bin/${name}`, args }, health: { url, tls: "admin" }, loadedAtStart: [] });
const base: RenderedComponent[] = [
  component("etcd", ["--data-dir=/c/etcd", "--name=default"], "https://127.0.0.1:9443/readyz/etcd"),
  component("kube-apiserver", ["--bind-address=127.0.0.1", "--etcd-servers=https://127.0.0.1:2379", "--secure-port=9443"], "https://127.0.0.1:9443/readyz"),
  component("kube-controller-manager", ["--bind-address=127.0.0.1", "--leader-elect=false"], "https://127.0.0.1:10257/healthz"),
  component("kube-scheduler", ["--bind-address=127.0.0.1", "--leader-elect=false"], "https://127.0.0.1:10259/healthz"),
  component("kwok", ["--server-port=1"], "http://127.0.0.1:1/healthz"),
];
const input = { base, endpointPort: 9443, advertiseAddress: "127.0.0.1", workDir: (name: string) => `/c/work/${name}` };
const flag = (c: RenderedComponent | undefined, name: string): string | undefined => c?.spec.args.find((a) => a.startsWith(`--${name}=`))?.split("=").slice(1).join("=");

describe("renderLocalTopology", () => {
  it("renders one API server and the first etcd member exactly as the base does", () => {
    expect(renderLocalTopology({ ...input, apiServerReplicas: 1 })).toEqual(base);
  });

  it("puts API server replica k on 127.0.0.<k+2> at the endpoint port, and controllers on 127.0.0.<k+1> electing a leader", () => {
    const out = renderLocalTopology({ ...input, apiServerReplicas: 3 });
    expect(out.map((c) => c.spec.name)).toEqual(["etcd", "kube-apiserver", "kube-apiserver-1", "kube-apiserver-2", "kube-controller-manager", "kube-controller-manager-1", "kube-controller-manager-2", "kube-scheduler", "kube-scheduler-1", "kube-scheduler-2", "kwok"]);
    const byName = (name: string): RenderedComponent | undefined => out.find((c) => c.spec.name === name);
    expect(["kube-apiserver", "kube-apiserver-1", "kube-apiserver-2"].map((n) => flag(byName(n), "bind-address"))).toEqual(["127.0.0.2", "127.0.0.3", "127.0.0.4"]);
    expect(byName("kube-apiserver-2")?.health.url).toBe("https://127.0.0.4:9443/readyz");
    expect(flag(byName("kube-apiserver-1"), "secure-port")).toBe("9443");
    expect(["kube-scheduler", "kube-scheduler-1", "kube-scheduler-2"].map((n) => flag(byName(n), "bind-address"))).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    expect(flag(byName("kube-scheduler-1"), "leader-elect")).toBe("true");
    expect(flag(byName("kube-controller-manager-2"), "cert-dir")).toBe("/c/work/kube-controller-manager-2");
    // Each flag once: a replaced flag is not left beside its replacement.
    expect(byName("kube-apiserver-1")?.spec.args.filter((a) => a.startsWith("--bind-address="))).toHaveLength(1);
  });

  it("renders each etcd member with its own ports, data and start state, and API servers on the voters only", () => {
    const members = [
      { name: "default", clientPort: 2379, peerPort: 2380, metricsPort: 2381, dataDir: "/c/etcd", initialClusterState: "new" as const, initialCluster: "default=https://127.0.0.1:2380" },
      { name: "m1", clientPort: 3379, peerPort: 3380, metricsPort: 3381, dataDir: "/c/etcd-m1", initialClusterState: "existing" as const, initialCluster: "default=https://127.0.0.1:2380,m1=https://127.0.0.1:3380" },
    ];
    const out = renderLocalTopology({ ...input, apiServerReplicas: 1, members, etcdServers: ["https://127.0.0.1:2379"] });
    const m1 = out.find((c) => c.spec.name === "etcd-m1");
    expect(flag(m1, "name")).toBe("m1");
    expect(flag(m1, "data-dir")).toBe("/c/etcd-m1");
    expect(flag(m1, "listen-client-urls")).toBe("https://127.0.0.1:3379");
    expect(flag(m1, "initial-cluster-state")).toBe("existing");
    expect(flag(m1, "initial-cluster")).toBe("default=https://127.0.0.1:2380,m1=https://127.0.0.1:3380");
    expect(m1?.health).toEqual({ url: "http://127.0.0.1:3381/readyz", tls: "plain" });
    expect(flag(out.find((c) => c.spec.name === "kube-apiserver"), "etcd-servers")).toBe("https://127.0.0.1:2379");
  });

  it("knows API server replicas and the replicas a scale-down leaves behind", () => {
    expect(["kube-apiserver", "kube-apiserver-3", "kube-apiserver-x", "kube-scheduler"].map(isAPIServerReplica)).toEqual([true, true, false, false]);
    const beyond = replicaNamesBeyond(new Set(["kube-apiserver", "kube-apiserver-1", "kube-scheduler", "kube-scheduler-1", "kube-controller-manager", "kube-controller-manager-1"]));
    expect(beyond).toContain("kube-apiserver-2");
    expect(beyond).toContain("kube-scheduler-4");
    expect(beyond).not.toContain("kube-apiserver-1");
  });
});
