import { describe, expect, it } from "vitest";
import { seedCorefile, seedDNSManifests } from "./dns.ts";

describe("the seed's DNS", () => {
  it("answers for the cluster domain without caching denials of its names, on an unprivileged port", () => {
    const corefile = seedCorefile("cluster.local");
    expect(corefile).toMatch(/^\.:1053 \{/);
    expect(corefile).toContain("kubernetes cluster.local in-addr.arpa ip6.arpa {");
    expect(corefile).toMatch(/cache 30 \{\s+disable denial cluster\.local\s+\}/);
    expect(corefile).not.toContain("forward");
  });

  it("puts the kube-dns Service at the given address, mapping 53 to CoreDNS's port, and runs it non-root with least RBAC", () => {
    const objects = seedDNSManifests({ image: "seedbed.local/coredns/coredns:v1.15.0", address: "10.96.0.10", domain: "cluster.local" }) as unknown as { kind: string; spec?: Record<string, unknown>; rules?: { verbs: string[] }[] }[];
    const service = objects.find((o) => o.kind === "Service");
    expect(service?.spec).toMatchObject({ clusterIP: "10.96.0.10", ports: [{ port: 53, targetPort: 1053, protocol: "UDP" }, { port: 53, targetPort: 1053, protocol: "TCP" }] });
    const role = objects.find((o) => o.kind === "ClusterRole");
    expect(new Set(role?.rules?.flatMap((r) => r.verbs))).toEqual(new Set(["list", "watch"]));
    const deployment = JSON.stringify(objects.find((o) => o.kind === "Deployment"));
    expect(deployment).toContain('"runAsNonRoot":true');
    expect(deployment).toContain('"readOnlyRootFilesystem":true');
  });
});
