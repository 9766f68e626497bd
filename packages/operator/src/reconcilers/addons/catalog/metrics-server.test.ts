import type { V1APIService, V1ClusterRoleBinding, V1Deployment, V1RoleBinding } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { describe, expect, it } from "vitest";
import { renderMetricsServer } from "./metrics-server.ts";
import { addonLabel, type AddonContext } from "./types.ts";
import { findObject, testContext } from "./test-context.ts";

const ctx: AddonContext = testContext;

const find = findObject;

describe("the metrics-server add-on", () => {
  it("has upstream's objects, the APIService last", () => {
    const { objects, version } = renderMetricsServer(ctx);
    expect(version).toBe(versions.addons.metricsServer);
    expect(objects.map((o) => `${o.kind ?? ""} ${o.metadata?.name ?? ""}`)).toEqual([
      "ServiceAccount metrics-server",
      "ClusterRole system:aggregated-metrics-reader",
      "ClusterRole system:metrics-server",
      "RoleBinding metrics-server-auth-reader",
      "ClusterRoleBinding metrics-server:system:auth-delegator",
      "ClusterRoleBinding system:metrics-server",
      "Service metrics-server",
      "Deployment metrics-server",
      "APIService v1beta1.metrics.k8s.io",
    ]);
  });

  it("lets it read the API server's requestheader configuration and delegate authentication", () => {
    const { objects } = renderMetricsServer(ctx);
    const reader = find(objects, "RoleBinding", "metrics-server-auth-reader") as V1RoleBinding;
    expect(reader.metadata?.namespace).toBe("kube-system");
    expect(reader.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" });
    const delegator = find(objects, "ClusterRoleBinding", "metrics-server:system:auth-delegator") as V1ClusterRoleBinding;
    expect(delegator.roleRef.name).toBe("system:auth-delegator");
    expect(delegator.subjects).toEqual([{ kind: "ServiceAccount", name: "metrics-server", namespace: "kube-system" }]);
  });

  it("registers v1beta1.metrics.k8s.io on its Service, as upstream does", () => {
    const api = find(renderMetricsServer(ctx).objects, "APIService", "v1beta1.metrics.k8s.io") as V1APIService;
    expect(api.spec).toMatchObject({ group: "metrics.k8s.io", version: "v1beta1", insecureSkipTLSVerify: true, service: { name: "metrics-server", namespace: "kube-system", port: 443 } });
    expect(api.metadata?.namespace).toBeUndefined();
  });

  it("runs non-root on port 10250, preferring nodes' InternalIP, from the mirror when there is one", () => {
    const pod = (find(renderMetricsServer({ ...ctx, imageRegistry: "mirror.example.com" }).objects, "Deployment", "metrics-server") as V1Deployment).spec?.template.spec;
    const container = pod?.containers[0];
    expect(container?.image).toBe(`mirror.example.com/metrics-server/metrics-server:v${versions.addons.metricsServer}`);
    expect(container?.args).toEqual(expect.arrayContaining(["--kubelet-preferred-address-types=InternalIP", "--secure-port=10250"]));
    expect(container?.ports).toEqual([{ name: "https", containerPort: 10250, protocol: "TCP" }]);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const upstream = (find(renderMetricsServer(ctx).objects, "Deployment", "metrics-server") as V1Deployment).spec?.template.spec?.containers[0]?.image;
    expect(upstream).toBe(`registry.k8s.io/metrics-server/metrics-server:v${versions.addons.metricsServer}`);
  });

  it("labels every object as Seedbed's metrics-server", () => {
    for (const o of renderMetricsServer(ctx).objects) {
      expect(o.metadata?.labels).toMatchObject({ [addonLabel]: "metrics-server", "app.kubernetes.io/managed-by": "seedbed" });
    }
  });
});
