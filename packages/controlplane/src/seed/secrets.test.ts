import { basename } from "node:path";
import { createClusterAuthorities, issueClusterLeaves } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import { authenticationConfigFile, type ControlPlanePlan } from "../driver.ts";
import { pkiFileContents, pkiFiles } from "../pki-layout.ts";
import { renderControlPlane } from "../render/control-plane.ts";
import { renderSeedControlPlane } from "./render.ts";
import { filesLoadedAtStart, renderSecrets, type SeedComponent } from "./secrets.ts";

const pkiOptions = { clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" };
const [authorities, other] = await Promise.all([createClusterAuthorities(pkiOptions), createClusterAuthorities(pkiOptions, "2")]);
const pki = pkiFileContents(await issueClusterLeaves(authorities, pkiOptions));
// Every leaf issued afresh from the same authorities: a leaf renewal.
const renewed = pkiFileContents(await issueClusterLeaves(authorities, pkiOptions));
// A second generation of authorities, for bundles that gain a CA or a key.
const rotated = pkiFileContents(await issueClusterLeaves(other, pkiOptions));
const plan: ControlPlanePlan = {
  clusterId: "p-c",
  version: "1.37.1",
  network: { serviceCIDR: "10.96.0.0/12", podCIDR: "10.244.0.0/16", dnsDomain: "cluster.local" },
  pki,
  authenticationConfig: "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt: []\n",
  controlPlane: { apiServerReplicas: 2, etcdMembers: 3, etcdStorage: "2Gi" },
  exposure: { serviceType: "NodePort", allowedSourceRanges: [] },
  kwok: true,
};

const leaves = ["apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "front-proxy-client", "etcd-server", "etcd-peer", "admin", "controller-manager", "scheduler"].flatMap((l) => [`${l}.crt`, `${l}.key`]);
/** The plan's PKI with these files taken from another one. */
const withFiles = (files: readonly string[], from: ReadonlyMap<string, string>): Map<string, string> => new Map([...pki, ...files.map((f): [string, string] => [f, from.get(f) ?? ""])]);
/** The plan's PKI with a second PEM appended to a bundle, as a CA rotation does. */
const grown = (file: string, second: string): Map<string, string> => new Map([...pki, [file, `${pki.get(file) ?? ""}${rotated.get(second) ?? ""}`]]);

type Rendered = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
const components = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];
const render = (p: ControlPlanePlan): Rendered[] => renderSeedControlPlane(p) as unknown as Rendered[];
const checksums = (list: Rendered[]): Record<string, string | undefined> =>
  Object.fromEntries(components.map((c) => [c, list.find((o) => o.metadata.name === c && o.spec?.template)?.spec?.template?.metadata?.annotations?.["seedbed.dev/config-checksum"]]));
/** The components whose pods roll from one plan to the next. */
const rolled = (before: ControlPlanePlan, after: ControlPlanePlan): string[] => {
  const [a, b] = [checksums(render(before)), checksums(render(after))];
  for (const c of components) expect(a[c], c).toMatch(/^[0-9a-f]{64}$/);
  return components.filter((c) => a[c] !== b[c]);
};

describe("the checksum annotations that roll a seed's control-plane pods", () => {
  it.each([
    { change: "every leaf renewed from the same CAs", pki: withFiles(leaves, renewed), rolls: ["kube-controller-manager", "kube-scheduler", "kwok"] },
    {
      change: "only the serving, etcd client and admin leaves (apiserver, etcd-server, apiserver-etcd-client, admin)",
      pki: withFiles(["apiserver", "etcd-server", "apiserver-etcd-client", "admin"].flatMap((l) => [`${l}.crt`, `${l}.key`]), renewed),
      rolls: ["kwok"],
    },
    { change: "the etcd CA bundle gaining a CA", pki: grown("etcd-ca-bundle.crt", "etcd-ca.crt"), rolls: ["etcd", "kube-apiserver"] },
    { change: "the service-account verifying keys gaining a key", pki: grown("sa-verify.pub", "sa.pub"), rolls: ["kube-apiserver"] },
    { change: "a new service-account signing key", pki: withFiles(["sa-signing.key"], new Map([["sa-signing.key", rotated.get("sa.key") ?? ""]])), rolls: ["kube-apiserver", "kube-controller-manager"] },
    // kube-apiserver reloads its client CA; the controllers' kubeconfigs and KCM's root CA carry the bundle.
    { change: "the cluster CA bundle gaining a CA", pki: grown("ca-bundle.crt", "ca.crt"), rolls: ["kube-controller-manager", "kube-scheduler", "kwok"] },
    { change: "the front-proxy CA bundle gaining a CA", pki: grown("front-proxy-ca-bundle.crt", "front-proxy-ca.crt"), rolls: [] },
    { change: "a new signing CA for the controller manager", pki: withFiles(["ca.crt", "ca.key"], rotated), rolls: ["kube-controller-manager"] },
  ])("$change rolls $rolls", ({ pki: changed, rolls }) => {
    expect(rolled(plan, { ...plan, pki: changed })).toEqual(rolls);
  });

  it("rolls kube-apiserver alone on a new authentication configuration", () => {
    expect(rolled(plan, { ...plan, authenticationConfig: `${plan.authenticationConfig ?? ""}# changed\n` })).toEqual(["kube-apiserver"]);
  });

  it("still writes renewed leaves into the Secrets of the pods that do not roll, for the kubelet to update in place", () => {
    const secret = (list: Rendered[], name: string): Record<string, string> | undefined => list.find((o) => o.kind === "Secret" && o.metadata.name === name)?.data;
    const [before, after] = [render(plan), render({ ...plan, pki: withFiles(leaves, renewed) })];
    for (const name of ["etcd-certs", "kube-apiserver-certs"]) expect(secret(after, name), name).not.toEqual(secret(before, name));
    expect(secret(after, "kube-apiserver-certs")?.["apiserver.crt"]).toBe(Buffer.from(renewed.get("apiserver.crt") ?? "?", "utf8").toString("base64"));
  });

  it("rolls etcd and kube-apiserver on exactly the files the local driver restarts them on", () => {
    const local = renderControlPlane({
      layout: {
        pki: pkiFiles("/pki"),
        etcdDataDir: "/etcd",
        controllerManagerKubeconfig: "/kcm.kubeconfig",
        schedulerKubeconfig: "/scheduler.kubeconfig",
        adminKubeconfig: "/admin.kubeconfig",
        workDir: (c) => `/work/${c}`,
        kwokStagesFile: "/stages.yaml",
        binaries: { etcd: "etcd", kubeAPIServer: "kube-apiserver", kubeControllerManager: "kube-controller-manager", kubeScheduler: "kube-scheduler", kwok: "kwok" },
      },
      ports: { apiServer: 6443, etcdClient: 2379, etcdPeer: 2380 },
      serviceCIDR: "10.96.0.0/12",
      components: { controllerManager: false, scheduler: false, kwok: false },
      loadedAtStart: { kubeAPIServer: [`/pki/${authenticationConfigFile}`] },
    });
    const { objects } = renderSecrets(plan.clusterId, pki, plan.authenticationConfig);
    const secretFiles = (component: SeedComponent): Record<string, string> => (objects.find((o) => o.metadata?.name === `${component}-certs`) as unknown as { data: Record<string, string> }).data;
    for (const component of ["etcd", "kube-apiserver"] as const) {
      const atStart = local.find((c) => c.spec.name === component)?.loadedAtStart.map((f) => basename(f)) ?? [];
      expect(atStart.length, component).toBeGreaterThan(0);
      expect(filesLoadedAtStart(component, secretFiles(component)).sort(), component).toEqual(atStart.sort());
    }
  });
});
