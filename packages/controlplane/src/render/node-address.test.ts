import { describe, expect, it } from "vitest";
import { pkiFiles } from "../pki-layout.ts";
import { renderControlPlane, type ControlPlaneLayout, type ControlPlaneRenderInput } from "./control-plane.ts";

const layout: ControlPlaneLayout = {
  pki: pkiFiles("/c/pki"),
  etcdDataDir: "/c/etcd",
  controllerManagerKubeconfig: "/c/cm.kubeconfig",
  schedulerKubeconfig: "/c/s.kubeconfig",
  adminKubeconfig: "/c/admin.kubeconfig",
  workDir: (component) => `/c/${component}`,
  kwokStagesFile: "/c/stages.yaml",
  binaries: { etcd: "etcd", kubeAPIServer: "kube-apiserver", kubeControllerManager: "kcm", kubeScheduler: "ks", kwok: "kwok" },
};
const input: ControlPlaneRenderInput = { layout, ports: { apiServer: 10443, etcdClient: 10001, etcdPeer: 10002 }, serviceCIDR: "10.96.0.0/12", components: { controllerManager: false, scheduler: false, kwok: false } };

/** The kube-apiserver's value of `flag`, as rendered. */
function apiServerFlag(rendered: ReturnType<typeof renderControlPlane>, flag: string): string | undefined {
  const args = rendered.find((c) => c.spec.name === "kube-apiserver")?.spec.args ?? [];
  return args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
}

const noFlags: Record<string, string> = {};

describe("a control plane that machines reach at a node address", () => {
  it.each([
    { title: "without one: loopback only, and no endpoints written (nothing in the cluster could reach loopback)", nodeAddress: undefined, extra: noFlags, bind: "127.0.0.1", advertise: "127.0.0.1", reconciler: "none" },
    { title: "with one: every address, advertising it, with its own endpoints kept by leases", nodeAddress: "192.0.2.2", extra: noFlags, bind: "0.0.0.0", advertise: "192.0.2.2", reconciler: "lease" },
    { title: "with one and an extra flag: the extra flag wins, as for every flag", nodeAddress: "192.0.2.2", extra: { "bind-address": "192.0.2.2" }, bind: "192.0.2.2", advertise: "192.0.2.2", reconciler: "lease" },
  ])("$title", ({ nodeAddress, extra, bind, advertise, reconciler }) => {
    const rendered = renderControlPlane({ ...input, nodeAddress, apiServerExtraFlags: extra });
    expect(apiServerFlag(rendered, "bind-address")).toBe(bind);
    expect(apiServerFlag(rendered, "advertise-address")).toBe(advertise);
    expect(apiServerFlag(rendered, "endpoint-reconciler-type")).toBe(reconciler);
    // Health checks and the controllers stay on loopback, where the API server listens in every case.
    expect(rendered.every((c) => c.health.url.startsWith("https://127.0.0.1:"))).toBe(true);
  });

  it("changes only the kube-apiserver", () => {
    const all = { ...input, ports: { ...input.ports, controllerManager: 10003, scheduler: 10004 }, components: { controllerManager: true, scheduler: true, kwok: false } };
    const without = renderControlPlane(all);
    const withAddress = renderControlPlane({ ...all, nodeAddress: "192.0.2.2" });
    expect(withAddress.filter((c) => c.spec.name !== "kube-apiserver")).toEqual(without.filter((c) => c.spec.name !== "kube-apiserver"));
  });
});
