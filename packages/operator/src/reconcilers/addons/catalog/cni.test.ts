import { versions } from "@seedbed/binaries";
import { describe, expect, it } from "vitest";
import { cniChart } from "./cni.ts";
import type { AddonContext, CNIName } from "./types.ts";
import { testContext } from "./test-context.ts";

const ctx: AddonContext = { ...testContext, podCIDR: "10.200.0.0/16", apiEndpoint: { host: "api.tenant.example", port: 31443 } };

describe("a CNI add-on's chart", () => {
  it.each([
    ["calico", "https://docs.tigera.io/calico/charts", "tigera-operator", "calico", "tigera-operator"],
    ["flannel", "https://flannel-io.github.io/flannel/", "flannel", "flannel", "kube-flannel"],
    ["cilium", "https://helm.cilium.io/", "cilium", "cilium", "kube-system"],
  ] as const)("of %s is upstream's %s chart %s, release %s in %s, at the pinned version", (cni, repository, chart, release, namespace) => {
    expect(cniChart(cni, ctx)).toMatchObject({ source: "Helm", repository, chart, release, namespace, version: versions.addons[cni] });
  });

  it("gives Calico a VXLAN pool over the pod CIDR and the API endpoint as strings", () => {
    expect(cniChart("calico", ctx).values).toEqual({
      installation: { calicoNetwork: { bgp: "Disabled", ipPools: [{ cidr: "10.200.0.0/16", encapsulation: "VXLAN", natOutgoing: "Enabled" }] } },
      kubernetesServiceEndpoint: { host: "api.tenant.example", port: "31443" },
    });
  });

  it("gives Flannel the pod CIDR", () => {
    expect(cniChart("flannel", ctx).values).toEqual({ podCidr: "10.200.0.0/16" });
  });

  it("gives Cilium Kubernetes IPAM, the pod CIDR and the API endpoint", () => {
    expect(cniChart("cilium", ctx).values).toEqual({
      k8sServiceHost: "api.tenant.example",
      k8sServicePort: 31443,
      ipam: { mode: "kubernetes" },
      ipv4NativeRoutingCIDR: "10.200.0.0/16",
    });
  });

  it("pulls every image it sets from the mirror", () => {
    const mirrored = { ...ctx, imageRegistry: "mirror.example.com/m/" };
    const calico = cniChart("calico", mirrored).values;
    expect(calico).toMatchObject({ installation: { registry: "mirror.example.com/m/" }, tigeraOperator: { registry: "mirror.example.com/m" }, calicoctl: { image: "mirror.example.com/m/calico/ctl" } });
    expect(calico).toMatchObject({ installation: { calicoNetwork: { ipPools: [{ cidr: "10.200.0.0/16" }] } } });
    expect(cniChart("flannel", mirrored).values).toEqual({
      podCidr: "10.200.0.0/16",
      flannel: { image: { repository: "mirror.example.com/m/flannel-io/flannel" }, image_cni: { repository: "mirror.example.com/m/flannel-io/flannel-cni-plugin" } },
    });
    const cilium = cniChart("cilium", mirrored).values;
    expect(cilium).toMatchObject({ k8sServiceHost: "api.tenant.example", image: { repository: "mirror.example.com/m/cilium/cilium" }, operator: { image: { repository: "mirror.example.com/m/cilium/operator" } } });
    const repositories = JSON.stringify(cilium).match(/"repository":"[^"]*"/g) ?? [];
    expect(repositories.length).toBeGreaterThan(5);
    for (const repository of repositories) expect(repository).toMatch(/^"repository":"mirror\.example\.com\/m\/cilium\//);
  });

  it("comes from another repository when told, under the same chart name", () => {
    const repositories: Partial<Record<CNIName, string>> = { cilium: "http://127.0.0.1:8879/charts", calico: "oci://registry.example.com/charts" };
    expect(cniChart("cilium", ctx, repositories)).toMatchObject({ repository: "http://127.0.0.1:8879/charts", chart: "cilium" });
    expect(cniChart("calico", ctx, repositories)).toMatchObject({ repository: "oci://registry.example.com/charts", chart: "tigera-operator" });
    expect(cniChart("flannel", ctx, repositories).repository).toBe("https://flannel-io.github.io/flannel/");
  });

  it("is the same for equal inputs", () => {
    for (const cni of ["calico", "flannel", "cilium"] as const) {
      expect(JSON.stringify(cniChart(cni, { ...ctx, imageRegistry: "m.example" }))).toBe(JSON.stringify(cniChart(cni, { ...ctx, imageRegistry: "m.example" })));
    }
  });
});
