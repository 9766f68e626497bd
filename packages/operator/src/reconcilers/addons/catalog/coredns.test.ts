import type { V1ConfigMap, V1Deployment, V1Service } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { describe, expect, it } from "vitest";
import { coreDNSCustomConfigMap, renderCoreDNS } from "./coredns.ts";
import { addonLabel, type AddonContext } from "./types.ts";
import { findObject, testContext } from "./test-context.ts";

const ctx: AddonContext = testContext;

const find = findObject;

const corefileOf = (c: AddonContext): string => (find(renderCoreDNS(c).objects, "ConfigMap", "coredns") as V1ConfigMap).data?.Corefile ?? "";
const deploymentOf = (c: AddonContext): V1Deployment => find(renderCoreDNS(c).objects, "Deployment", "coredns");

describe("the CoreDNS add-on", () => {
  it.each([
    ["10.96.0.0/12", "10.96.0.10"],
    ["172.20.0.0/16", "172.20.0.10"],
    ["10.0.8.0/22", "10.0.8.10"],
  ])("puts kube-dns at the tenth address of %s (%s)", (serviceCIDR, address) => {
    const service = find(renderCoreDNS({ ...ctx, serviceCIDR }).objects, "Service", "kube-dns") as V1Service;
    expect(service.metadata?.namespace).toBe("kube-system");
    expect(service.spec?.clusterIP).toBe(address);
  });

  it("maps port 53 to the unprivileged port CoreDNS listens on, over UDP and TCP", () => {
    const service = find(renderCoreDNS(ctx).objects, "Service", "kube-dns") as V1Service;
    expect(service.spec?.ports).toEqual(expect.arrayContaining([
      { name: "dns", port: 53, targetPort: 1053, protocol: "UDP" },
      { name: "dns-tcp", port: 53, targetPort: 1053, protocol: "TCP" },
    ]));
    expect(corefileOf(ctx)).toMatch(/^\.:1053 \{/);
    const container = deploymentOf(ctx).spec?.template.spec?.containers[0];
    expect(container?.ports?.map((p) => p.containerPort)).toEqual([1053, 1053, 9153]);
    expect(container?.securityContext?.capabilities).toEqual({ drop: ["ALL"] });
  });

  it("answers for the cluster's DNS domain", () => {
    const corefile = corefileOf({ ...ctx, dnsDomain: "tenant.example" });
    expect(corefile).toContain("kubernetes tenant.example in-addr.arpa ip6.arpa {");
    expect(corefile).not.toContain("cluster.local");
  });

  it("keeps Kubernetes' default plugins and imports the user's server blocks at the top level", () => {
    const corefile = corefileOf(ctx);
    for (const line of ["errors", "ready", "pods insecure", "fallthrough in-addr.arpa ip6.arpa", "ttl 30", "prometheus :9153", "forward . /etc/resolv.conf {", "cache 30 {", "loop", "reload", "loadbalance"]) {
      expect(corefile.split("\n").map((l) => l.trim())).toContain(line);
    }
    // The last line, outside the server block's braces.
    expect(corefile.trimEnd().split("\n").at(-1)).toBe("import /etc/coredns/custom/*.server");
  });

  it("mounts the user's ConfigMap as optional and never renders it", () => {
    const { objects } = renderCoreDNS(ctx);
    expect(objects.some((o) => o.metadata?.name === coreDNSCustomConfigMap)).toBe(false);
    const pod = deploymentOf(ctx).spec?.template.spec;
    expect(pod?.volumes).toContainEqual({ name: "custom-config-volume", configMap: { name: "coredns-custom", optional: true } });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({ name: "custom-config-volume", mountPath: "/etc/coredns/custom", readOnly: true });
  });

  it("pulls the upstream image, or the same path under a mirror", () => {
    expect(deploymentOf(ctx).spec?.template.spec?.containers[0]?.image).toBe(`registry.k8s.io/coredns/coredns:v${versions.coredns}`);
    expect(deploymentOf({ ...ctx, imageRegistry: "seedbed.local/" }).spec?.template.spec?.containers[0]?.image).toBe(`seedbed.local/coredns/coredns:v${versions.coredns}`);
  });

  it("runs two non-root replicas resolving through the node, as a critical add-on", () => {
    const spec = deploymentOf(ctx).spec;
    expect(spec?.replicas).toBe(2);
    expect(spec?.template.spec?.dnsPolicy).toBe("Default");
    expect(spec?.template.spec?.priorityClassName).toBe("system-cluster-critical");
    expect(spec?.template.spec?.securityContext?.runAsNonRoot).toBe(true);
    expect(spec?.template.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(spec?.selector.matchLabels).toEqual({ "k8s-app": "kube-dns" });
  });

  it("labels every object as Seedbed's CoreDNS and keeps namespaces off cluster-scoped ones", () => {
    const { objects, version, source } = renderCoreDNS(ctx);
    expect(source).toBe("BuiltIn");
    expect(version).toBe(versions.coredns);
    expect(objects.map((o) => o.kind)).toEqual(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Service"]);
    for (const o of objects) {
      expect(o.metadata?.labels).toMatchObject({ [addonLabel]: "coredns", "app.kubernetes.io/managed-by": "seedbed" });
      expect(o.metadata?.namespace).toBe(o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding" ? undefined : "kube-system");
    }
  });

  it("renders byte-identical objects for equal inputs", () => {
    expect(JSON.stringify(renderCoreDNS({ ...ctx }))).toBe(JSON.stringify(renderCoreDNS({ ...ctx })));
    expect(JSON.stringify(renderCoreDNS({ ...ctx, imageRegistry: "m.example" }))).not.toBe(JSON.stringify(renderCoreDNS(ctx)));
  });
});
