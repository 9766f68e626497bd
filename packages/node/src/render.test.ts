import { describe, expect, it } from "vitest";
import { renderCNIConfig } from "./cni-config.ts";
import { renderContainerdConfig } from "./containerd-config.ts";
import { renderKubeProxyConfig } from "./kube-proxy-config.ts";
import { renderKubeletConfig } from "./kubelet-config.ts";
import { nodeLayout } from "./layout.ts";
import { inNamespace, nodeNamespace } from "./netns.ts";

const layout = nodeLayout("/tmp/seedbed-node-x");
const network = { name: "seedbed-abc123", bridge: "sbr-abc123", subnet: "10.242.7.0/24" };

describe("a node's configuration", () => {
  it("keeps containerd's root, state, sockets and runc state in the node's directory", () => {
    const toml = renderContainerdConfig({ layout, sandboxImage: "seedbed.local/pause:1.0.0", cniBinDir: "/usr/lib/cni" });
    expect(toml).toContain('root = "/tmp/seedbed-node-x/containerd/root"');
    expect(toml).toContain('state = "/tmp/seedbed-node-x/containerd/state"');
    expect(toml).toMatch(/\[grpc\]\n {2}address = "\/tmp\/seedbed-node-x\/containerd\/sock"/);
    expect(toml).toContain('Root = "/tmp/seedbed-node-x/containerd/runc"');
    expect(toml).toContain('conf_dir = "/tmp/seedbed-node-x/cni/net.d"');
    // The settings this machine needs (docs/real-nodes.md).
    expect(toml).toContain("restrict_oom_score_adj = true");
    expect(toml).toContain("netns_mounts_under_state_dir = true");
    expect(toml).toContain('sandbox_image = "seedbed.local/pause:1.0.0"');
    expect(toml).toContain('"io.containerd.internal.v1.opt"');
    expect(toml.length).toBeLessThan(4000);
    expect(layout.containerd.socket.length + ".ttrpc".length).toBeLessThan(108);
  });

  it("gives each node a bridge and subnet of its own, with addresses kept in its directory", () => {
    const conf = JSON.parse(renderCNIConfig(network, layout)) as { name: string; plugins: { type: string; bridge?: string; ipam?: { ranges: { subnet: string }[][]; dataDir: string } }[] };
    expect(conf.name).toBe("seedbed-abc123");
    expect(conf.plugins.map((p) => p.type)).toEqual(["bridge", "portmap"]);
    expect(conf.plugins[0]?.bridge).toBe("sbr-abc123");
    expect(conf.plugins[0]?.ipam?.ranges[0]?.[0]?.subnet).toBe("10.242.7.0/24");
    expect(conf.plugins[0]?.ipam?.dataDir).toBe("/tmp/seedbed-node-x/cni/ipam");
    expect(() => renderCNIConfig({ ...network, bridge: "a-very-long-bridge" }, layout)).toThrow(/at most 15 characters/);
  });

  it("tells the kubelet about cgroup v1, its cgroup root, its runtime, and webhook authentication", () => {
    const base = { layout, address: "10.243.7.2", cgroupRoot: "/seedbed-abc123", clientCAFile: "/ca.crt", tlsCertFile: "/k.crt", tlsPrivateKeyFile: "/k.key" };
    const config = JSON.parse(renderKubeletConfig({ ...base, staticPods: false })) as Record<string, unknown>;
    expect(config).toMatchObject({
      kind: "KubeletConfiguration",
      failCgroupV1: false,
      cgroupDriver: "cgroupfs",
      cgroupRoot: "/seedbed-abc123",
      containerRuntimeEndpoint: "unix:///tmp/seedbed-node-x/containerd/sock",
      address: "10.243.7.2",
      readOnlyPort: 0,
      healthzBindAddress: "10.243.7.2",
      podLogsDir: "/tmp/seedbed-node-x/kubelet/pod-logs",
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: "/ca.crt" } },
      authorization: { mode: "Webhook" },
      makeIPTablesUtilChains: false,
    });
    expect(config.staticPodPath).toBeUndefined();
    expect(config.clusterDNS).toBeUndefined();
    const withDNS = JSON.parse(renderKubeletConfig({ ...base, staticPods: false, clusterDNS: { address: "10.96.0.10", domain: "cluster.local" } })) as Record<string, unknown>;
    expect(withDNS).toMatchObject({ clusterDNS: ["10.96.0.10"], clusterDomain: "cluster.local" });
    const withStatic = JSON.parse(renderKubeletConfig({ ...base, staticPods: true })) as Record<string, unknown>;
    expect(withStatic.staticPodPath).toBe("/tmp/seedbed-node-x/kubelet/manifests");
  });

  it("gives each node a link of its own beside its pod subnet, and refuses a subnet it cannot derive one from", () => {
    expect(nodeNamespace("abc123", "10.242.7.0/24")).toEqual({ name: "sbn-abc123", hostLink: "sbh-abc123", hostAddress: "10.243.7.1", nodeAddress: "10.243.7.2", podSubnet: "10.242.7.0/24" });
    expect(() => nodeNamespace("abc123", "10.245.7.0/24")).toThrow(/10\.242\.N\.0\/24/);
    expect(() => nodeNamespace("abcdefghijkl", "10.242.7.0/24")).toThrow(/at most 15 characters/);
    expect(inNamespace({ name: "sbn-abc123" }, "kubelet", ["--v=2"])).toEqual({ command: "nsenter", args: ["--net=/run/netns/sbn-abc123", "--", "kubelet", "--v=2"] });
  });

  it("runs kube-proxy in iptables mode with NodePorts on the node's address only", () => {
    const config = JSON.parse(renderKubeProxyConfig({ kubeconfig: "/k", clusterCIDR: "10.242.0.0/16", nodeAddress: "10.243.7.2" })) as Record<string, unknown>;
    expect(config).toMatchObject({ kind: "KubeProxyConfiguration", mode: "iptables", clusterCIDR: "10.242.0.0/16", nodePortAddresses: ["10.243.7.2/32"], healthzBindAddress: "10.243.7.2:10256", conntrack: { maxPerCore: 0 } });
  });
});
