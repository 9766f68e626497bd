import { describe, expect, it } from "vitest";
import { renderCNIConfig } from "./cni-config.ts";
import { renderContainerdConfig } from "./containerd-config.ts";
import { renderKubeletConfig } from "./kubelet-config.ts";
import { nodeLayout } from "./layout.ts";

const layout = nodeLayout("/tmp/seedbed-node-x");
const network = { name: "seedbed-abc123", bridge: "sbr-abc123", subnet: "10.244.7.0/24" };

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
    expect(conf.plugins[0]?.ipam?.ranges[0]?.[0]?.subnet).toBe("10.244.7.0/24");
    expect(conf.plugins[0]?.ipam?.dataDir).toBe("/tmp/seedbed-node-x/cni/ipam");
    expect(() => renderCNIConfig({ ...network, bridge: "a-very-long-bridge" }, layout)).toThrow(/at most 15 characters/);
  });

  it("tells the kubelet about cgroup v1, its cgroup root, its runtime, and webhook authentication", () => {
    const base = { layout, port: 20001, healthzPort: 20002, cgroupRoot: "/seedbed-abc123", clientCAFile: "/ca.crt", tlsCertFile: "/k.crt", tlsPrivateKeyFile: "/k.key" };
    const config = JSON.parse(renderKubeletConfig({ ...base, staticPods: false })) as Record<string, unknown>;
    expect(config).toMatchObject({
      kind: "KubeletConfiguration",
      failCgroupV1: false,
      cgroupDriver: "cgroupfs",
      cgroupRoot: "/seedbed-abc123",
      containerRuntimeEndpoint: "unix:///tmp/seedbed-node-x/containerd/sock",
      port: 20001,
      readOnlyPort: 0,
      healthzPort: 20002,
      podLogsDir: "/tmp/seedbed-node-x/kubelet/pod-logs",
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: "/ca.crt" } },
      authorization: { mode: "Webhook" },
      makeIPTablesUtilChains: false,
    });
    expect(config.staticPodPath).toBeUndefined();
    const withStatic = JSON.parse(renderKubeletConfig({ ...base, staticPods: true })) as Record<string, unknown>;
    expect(withStatic.staticPodPath).toBe("/tmp/seedbed-node-x/kubelet/manifests");
  });
});
