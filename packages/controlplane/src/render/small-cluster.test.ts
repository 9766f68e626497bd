import { createClusterPKI } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import type { ControlPlanePlan } from "../driver.ts";
import { pkiFileContents, pkiFiles } from "../pki-layout.ts";
import { renderSeedControlPlane } from "../seed/render.ts";
import { renderControlPlane, type ControlPlaneRenderInput } from "./control-plane.ts";

const input: ControlPlaneRenderInput = {
  layout: {
    pki: pkiFiles("/c/pki"),
    etcdDataDir: "/c/etcd",
    controllerManagerKubeconfig: "/c/cm.kubeconfig",
    schedulerKubeconfig: "/c/s.kubeconfig",
    adminKubeconfig: "/c/admin.kubeconfig",
    workDir: (component) => `/c/work/${component}`,
    kwokStagesFile: "/c/stages.yaml",
    binaries: { etcd: "etcd", kubeAPIServer: "kube-apiserver", kubeControllerManager: "kube-controller-manager", kubeScheduler: "kube-scheduler", kwok: "kwok" },
  },
  ports: { apiServer: 1, etcdClient: 2, etcdPeer: 3, controllerManager: 4, scheduler: 5 },
  serviceCIDR: "10.96.0.0/12",
  components: { controllerManager: true, scheduler: true, kwok: false },
};

const byName = (components: ReturnType<typeof renderControlPlane>): Map<string, { args: readonly string[]; env?: Readonly<Record<string, string>> }> => new Map(components.map((c) => [c.spec.name, c.spec]));

describe("small-cluster tuning", () => {
  it("gives a tenant's processes a lower GOGC and kube-apiserver no watch cache", () => {
    const specs = byName(renderControlPlane({ ...input, smallCluster: true }));
    expect(specs.get("etcd")?.env).toEqual({ GOGC: "50" });
    for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) expect(specs.get(name)?.env, name).toEqual({ GOGC: "30" });
    expect(specs.get("kube-apiserver")?.args).toContain("--watch-cache=false");
  });

  it("leaves the platform's own API and the test harness as Kubernetes ships them", () => {
    const specs = byName(renderControlPlane(input));
    for (const [name, spec] of specs) {
      expect(spec.env, name).toBeUndefined();
      expect(spec.args.some((a) => a.startsWith("--watch-cache")), name).toBe(false);
    }
  });

  it("never sets a memory limit, and lets extra flags win over its own", () => {
    const specs = byName(renderControlPlane({ ...input, smallCluster: true, apiServerExtraFlags: { "watch-cache": true } }));
    expect(specs.get("kube-apiserver")?.args).toContain("--watch-cache=true");
    expect(specs.get("kube-apiserver")?.args).not.toContain("--watch-cache=false");
    for (const [name, spec] of specs) expect(Object.keys(spec.env ?? {}), name).not.toContain("GOMEMLIMIT");
  });

  it("reaches the seed driver's containers too", async () => {
    const plan: ControlPlanePlan = {
      clusterId: "p-c",
      version: "1.37.1",
      network: { serviceCIDR: "10.96.0.0/12", podCIDR: "10.244.0.0/16", dnsDomain: "cluster.local" },
      pki: pkiFileContents(await createClusterPKI({ clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" })),
      controlPlane: { apiServerReplicas: 1, etcdMembers: 1, etcdStorage: "1Gi" },
      exposure: { serviceType: "NodePort", allowedSourceRanges: [] },
    };
    type Workload = { kind: string; metadata: { name: string }; spec?: { template?: { spec?: { containers?: { name: string; args?: string[]; env?: { name: string; value?: string }[] }[] } } } };
    const containers = (renderSeedControlPlane(plan) as unknown as Workload[]).flatMap((o) => o.spec?.template?.spec?.containers ?? []);
    const gogc = new Map(containers.map((c) => [c.name, c.env?.find((e) => e.name === "GOGC")?.value]));
    expect(Object.fromEntries(gogc)).toEqual({ etcd: "50", "kube-apiserver": "30", "kube-controller-manager": "30", "kube-scheduler": "30" });
    expect(containers.find((c) => c.name === "kube-apiserver")?.args).toContain("--watch-cache=false");
    // The pod's own variables stay.
    expect(containers.find((c) => c.name === "etcd")?.env?.map((e) => e.name)).toContain("POD_NAME");
  });
});
