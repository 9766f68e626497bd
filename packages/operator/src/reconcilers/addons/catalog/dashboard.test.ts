import type { V1Deployment, V1Role, V1Secret } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { describe, expect, it } from "vitest";
import { renderDashboard } from "./dashboard.ts";
import { addonLabel, type AddonContext } from "./types.ts";
import { findObject, testContext } from "./test-context.ts";

const ctx: AddonContext = testContext;

const find = findObject;

describe("the dashboard add-on", () => {
  it("puts its namespace first and everything else in it", () => {
    const { objects, version } = renderDashboard(ctx);
    expect(version).toBe(versions.addons.dashboard);
    expect(objects[0]).toMatchObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kubernetes-dashboard" } });
    for (const o of objects.slice(1)) {
      const clusterScoped = o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding";
      expect(o.metadata?.namespace).toBe(clusterScoped ? undefined : "kubernetes-dashboard");
    }
  });

  it("runs the dashboard with its own certificates in its namespace, and the metrics scraper", () => {
    const mirrored = renderDashboard({ ...ctx, imageRegistry: "mirror.example.com/m" }).objects;
    const dashboard = (find(mirrored, "Deployment", "kubernetes-dashboard") as V1Deployment).spec?.template.spec?.containers[0];
    expect(dashboard?.image).toBe(`mirror.example.com/m/kubernetesui/dashboard:v${versions.addons.dashboard}`);
    expect(dashboard?.args).toEqual(["--auto-generate-certificates", "--namespace=kubernetes-dashboard"]);
    const scraper = (find(mirrored, "Deployment", "dashboard-metrics-scraper") as V1Deployment).spec?.template.spec?.containers[0];
    expect(scraper?.image).toBe(`mirror.example.com/m/kubernetesui/metrics-scraper:v${versions.addons.dashboardMetricsScraper}`);
    const upstream = (find(renderDashboard(ctx).objects, "Deployment", "kubernetes-dashboard") as V1Deployment).spec?.template.spec?.containers[0]?.image;
    expect(upstream).toBe(`docker.io/kubernetesui/dashboard:v${versions.addons.dashboard}`);
    expect(renderDashboard(ctx).objects.filter((o) => o.kind === "Service").map((o) => o.metadata?.name)).toEqual(["kubernetes-dashboard", "dashboard-metrics-scraper"]);
  });

  it("renders its state Secrets without data, so what the dashboard stores there is never overwritten", () => {
    const { objects } = renderDashboard(ctx);
    for (const name of ["kubernetes-dashboard-certs", "kubernetes-dashboard-csrf", "kubernetes-dashboard-key-holder"]) {
      const secret = find(objects, "Secret", name) as V1Secret;
      expect(secret.type).toBe("Opaque");
      expect(secret.data).toBeUndefined();
    }
  });

  it("grants its account only its own Secrets and settings by name", () => {
    const role = find(renderDashboard(ctx).objects, "Role", "kubernetes-dashboard") as V1Role;
    for (const rule of role.rules ?? []) expect(rule.resourceNames?.length).toBeGreaterThan(0);
    expect(role.rules?.find((r) => r.resources?.includes("secrets"))?.resourceNames).toEqual(["kubernetes-dashboard-key-holder", "kubernetes-dashboard-certs", "kubernetes-dashboard-csrf"]);
  });

  it("labels every object as Seedbed's dashboard", () => {
    for (const o of renderDashboard(ctx).objects) {
      expect(o.metadata?.labels).toMatchObject({ [addonLabel]: "dashboard", "app.kubernetes.io/managed-by": "seedbed" });
    }
  });
});
