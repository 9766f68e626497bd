import { AppsV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { kwokNodeAnnotation } from "@seedbed/controlplane";
import { describe, expect, it } from "vitest";
import { eventually } from "../src/eventually.ts";
import { useKubeAPI } from "../src/vitest.ts";

describe("the harness with controllers and kwok", () => {
  const api = useKubeAPI({ controllers: true, kwok: true });

  it("schedules a Deployment's pods onto a kwok node where they run and become Ready", async () => {
    const kc = api().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNode({
      body: {
        metadata: { name: "kwok-node-0", annotations: { [kwokNodeAnnotation]: "fake" }, labels: { type: "kwok" } },
        spec: { taints: [] },
        status: { allocatable: { cpu: "4", memory: "8Gi", pods: "110" }, capacity: { cpu: "4", memory: "8Gi", pods: "110" } },
      },
    });
    const node = await eventually(
      () => core.readNode({ name: "kwok-node-0" }),
      (n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
    );
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");

    // The service account controller (kube-controller-manager) creates "default" in new namespaces.
    await core.createNamespace({ body: { metadata: { name: "apps" } } });
    await eventually(() => core.listNamespacedServiceAccount({ namespace: "apps" }), (l) => l.items.some((sa) => sa.metadata?.name === "default"));

    await apps.createNamespacedDeployment({
      namespace: "apps",
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx", resources: { requests: { cpu: "100m" } } }] },
          },
        },
      },
    });
    // Deployment → ReplicaSet → pods (controller-manager), placed by the scheduler, run by kwok.
    const pods = await eventually(
      () => core.listNamespacedPod({ namespace: "apps", labelSelector: "app=web" }),
      (l) => l.items.length === 3 && l.items.every((p: V1Pod) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
    );
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual(["kwok-node-0", "kwok-node-0", "kwok-node-0"]);
    const deployment = await eventually(() => apps.readNamespacedDeployment({ namespace: "apps", name: "web" }), (d) => d.status?.readyReplicas === 3);
    expect(deployment.status?.availableReplicas).toBe(3);
  });
});
