import { createClusterPKI } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import type { ControlPlanePlan } from "../driver.ts";
import { pkiFileContents } from "../pki-layout.ts";
import { renderSeedControlPlane } from "./render.ts";

const pki = pkiFileContents(await createClusterPKI({ clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" }));
const plan: ControlPlanePlan = {
  clusterId: "p-c",
  version: "1.37.1",
  network: { serviceCIDR: "10.96.0.0/12", podCIDR: "10.244.0.0/16", dnsDomain: "cluster.local" },
  pki,
  controlPlane: { apiServerReplicas: 2, etcdMembers: 3, etcdStorage: "2Gi" },
  exposure: { serviceType: "LoadBalancer", allowedSourceRanges: ["203.0.113.0/24"] },
};

type Obj = { kind: string; metadata: { name: string }; spec?: { template?: { metadata?: { annotations?: Record<string, string> } }; loadBalancerSourceRanges?: string[] } };
const objects = (p: ControlPlanePlan): Obj[] => renderSeedControlPlane(p) as unknown as Obj[];
const checksum = (list: Obj[], name: string): string | undefined => list.find((o) => o.metadata.name === name && o.spec?.template)?.spec?.template?.metadata?.annotations?.["seedbed.dev/config-checksum"];

describe("renderSeedControlPlane", () => {
  it("is byte-identical for the same plan", () => {
    expect(JSON.stringify(renderSeedControlPlane(plan))).toBe(JSON.stringify(renderSeedControlPlane({ ...plan, pki: new Map([...pki].reverse()) })));
  });

  it("renders the namespace first and every kind a control plane needs", () => {
    const list = objects(plan);
    expect(list[0]?.kind).toBe("Namespace");
    expect(list.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        "Deployment/kube-apiserver", "Deployment/kube-controller-manager", "Deployment/kube-scheduler", "Namespace/cluster-p-c",
        "NetworkPolicy/default-deny", "NetworkPolicy/etcd", "NetworkPolicy/kube-apiserver", "PodDisruptionBudget/etcd", "PodDisruptionBudget/kube-apiserver",
        "Secret/etcd-certs", "Secret/kube-apiserver-certs", "Secret/kube-controller-manager-certs", "Secret/kube-scheduler-certs",
        "Service/etcd", "Service/kube-apiserver", "StatefulSet/etcd",
      ].sort(),
    );
    expect(list.find((o) => o.kind === "Service" && o.metadata.name === "kube-apiserver")?.spec?.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
  });

  it("gives nodes pod ranges from the cluster's pod CIDR and names the token issuer after its DNS domain", () => {
    const args = (name: string): string[] => {
      const deployment = renderSeedControlPlane({ ...plan, network: { ...plan.network, podCIDR: "10.250.0.0/16", dnsDomain: "corp.internal" } }).find((o) => o.kind === "Deployment" && o.metadata?.name === name) as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
      return deployment.spec.template.spec.containers[0]?.args ?? [];
    };
    expect(args("kube-controller-manager")).toEqual(expect.arrayContaining(["--cluster-cidr=10.250.0.0/16", "--allocate-node-cidrs=true", "--node-cidr-mask-size=24"]));
    expect(args("kube-apiserver")).toContain("--service-account-issuer=https://kubernetes.default.svc.corp.internal");
    // Scaling or rolling the API servers behind their Service fails no new request.
    expect(args("kube-apiserver")).toContain("--shutdown-delay-duration=5s");
  });

  it("gives each component only the PKI files it uses: the cluster CA's key to the controller manager alone, the front-proxy CA's key to none", () => {
    const keys = (name: string): string[] => Object.keys((objects(plan).find((o) => o.kind === "Secret" && o.metadata.name === name) as unknown as { data: Record<string, string> }).data).sort();
    expect(keys("kube-controller-manager-certs")).toEqual(["ca.crt", "ca.key", "kubeconfig", "sa.key"]);
    expect(keys("kube-apiserver-certs")).toEqual(
      ["apiserver-etcd-client.crt", "apiserver-etcd-client.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key", "apiserver.crt", "apiserver.key", "ca.crt", "etcd-ca.crt", "front-proxy-ca.crt", "front-proxy-client.crt", "front-proxy-client.key", "sa.key", "sa.pub"].sort(),
    );
    for (const secret of objects(plan).filter((o) => o.kind === "Secret")) expect(Object.keys((secret as unknown as { data: Record<string, string> }).data)).not.toContain("front-proxy-ca.key");
    // Every file a flag names is mounted from the component's own Secret.
    const deployment = objects(plan).find((o) => o.kind === "Deployment" && o.metadata.name === "kube-apiserver") as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const named = (deployment.spec.template.spec.containers[0]?.args ?? []).flatMap((a) => /=\/etc\/kubernetes\/pki\/([^,]+)$/.exec(a)?.[1] ?? []);
    expect(named).toEqual(expect.arrayContaining(["apiserver-kubelet-client.crt", "front-proxy-ca.crt", "front-proxy-client.key"]));
    for (const file of named) expect(keys("kube-apiserver-certs")).toContain(file);
  });

  it("runs kwok beside the control plane only for a cluster with kwok machines, with its own Secret, reaching the API through its policy", () => {
    expect(objects(plan).some((o) => o.metadata.name === "kwok")).toBe(false);
    const withKwok = objects({ ...plan, kwok: true });
    expect(withKwok.filter((o) => o.metadata.name.startsWith("kwok")).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Secret/kwok-config", "Deployment/kwok"]);
    const deployment = withKwok.find((o) => o.kind === "Deployment" && o.metadata.name === "kwok") as unknown as { spec: { template: { spec: { containers: { image: string; args: string[] }[] } } } };
    expect(deployment.spec.template.spec.containers[0]?.image).toMatch(/\/kwok\/kwok:v\d+\.\d+\.\d+$/);
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual(expect.arrayContaining(["--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake", "--kubeconfig=/etc/kwok/kubeconfig"]));
    const apiPolicy = withKwok.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "kube-apiserver") as unknown as { spec: { ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }[] } };
    expect(apiPolicy.spec.ingress[0]?.from.some((f) => f.podSelector?.matchLabels["seedbed.dev/component"] === "kwok")).toBe(true);
  });

  it("renders a disruption budget only for components with more than one pod", () => {
    const single = objects({ ...plan, controlPlane: { ...plan.controlPlane, apiServerReplicas: 1, etcdMembers: 1 } });
    expect(single.filter((o) => o.kind === "PodDisruptionBudget")).toEqual([]);
    const haEtcd = objects({ ...plan, controlPlane: { ...plan.controlPlane, apiServerReplicas: 1, etcdMembers: 3 } });
    expect(haEtcd.filter((o) => o.kind === "PodDisruptionBudget").map((o) => o.metadata.name)).toEqual(["etcd"]);
  });

  it("changes only the checksum of the components whose files changed", async () => {
    const renewed = pkiFileContents(await createClusterPKI({ clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" }));
    // New etcd certificates only.
    const etcdOnly = new Map(pki);
    for (const file of ["etcd-server.crt", "etcd-server.key"]) etcdOnly.set(file, renewed.get(file) ?? "");
    const before = objects(plan);
    const after = objects({ ...plan, pki: etcdOnly });
    expect(checksum(after, "etcd")).not.toBe(checksum(before, "etcd"));
    for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) expect(checksum(after, name)).toBe(checksum(before, name));
  });
});

type PodTemplate = {
  spec: {
    securityContext?: Record<string, unknown>;
    containers: { name: string; image: string; securityContext?: Record<string, unknown>; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    volumes?: { name: string; secret?: { defaultMode?: number }; emptyDir?: object }[];
  };
};
const templates = (list: Obj[]): [string, PodTemplate][] =>
  list.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet").map((o) => [o.metadata.name, (o.spec as unknown as { template: PodTemplate }).template]);

describe("renderSeedControlPlane's pods, as a real kubelet runs them", () => {
  it("give every pod's files to the group of its non-root user, so Secrets are readable and etcd's volume writable", () => {
    const pods = templates(objects({ ...plan, kwok: true }));
    expect(pods.map(([name]) => name).sort()).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
    for (const [name, template] of pods) {
      expect({ name, ...template.spec.securityContext }).toMatchObject({ name, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
      const secrets = (template.spec.volumes ?? []).filter((v) => v.secret !== undefined);
      expect(secrets.length, name).toBeGreaterThan(0);
      // Group-readable: the files are root's, their group the fsGroup; 0400 would shut uid 65532 out.
      for (const volume of secrets) expect(volume.secret?.defaultMode, `${name}/${volume.name}`).toBe(0o440);
      for (const container of template.spec.containers) {
        expect(container.securityContext, name).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
      }
    }
  });

  it("mounts etcd's data volume writable and every Secret read-only", () => {
    for (const [name, template] of templates(objects({ ...plan, kwok: true }))) {
      const secretVolumes = new Set((template.spec.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
      for (const mount of template.spec.containers.flatMap((c) => c.volumeMounts ?? [])) {
        if (secretVolumes.has(mount.name)) expect(mount.readOnly, `${name}/${mount.name}`).toBe(true);
      }
    }
    const etcd = templates(objects(plan)).find(([name]) => name === "etcd")?.[1];
    expect(etcd?.spec.containers[0]?.volumeMounts?.find((m) => m.name === "data")).toEqual({ name: "data", mountPath: "/var/lib/etcd" });
  });

  it("takes the official images by default, the registry given, and per-component overrides with the cluster's version", () => {
    const images = (options?: Parameters<typeof renderSeedControlPlane>[1]): Record<string, string> =>
      Object.fromEntries(templates(renderSeedControlPlane({ ...plan, kwok: true }, options) as unknown as Obj[]).map(([name, t]) => [name, t.spec.containers[0]?.image ?? ""]));
    expect(images()).toEqual({
      etcd: expect.stringMatching(/^registry\.k8s\.io\/etcd:3\.\d+\.\d+-0$/) as string,
      "kube-apiserver": "registry.k8s.io/kube-apiserver:v1.37.1",
      "kube-controller-manager": "registry.k8s.io/kube-controller-manager:v1.37.1",
      "kube-scheduler": "registry.k8s.io/kube-scheduler:v1.37.1",
      kwok: expect.stringMatching(/^registry\.k8s\.io\/kwok\/kwok:v\d+\.\d+\.\d+$/) as string,
    });
    const mirrored = images({ registry: "mirror.example.com/k8s", overrides: { "kube-apiserver": "docker.io/seedbed/kube-apiserver:v{version}", kwok: "docker.io/seedbed/kwok:dev" } });
    expect(mirrored["kube-apiserver"]).toBe("docker.io/seedbed/kube-apiserver:v1.37.1");
    expect(mirrored.kwok).toBe("docker.io/seedbed/kwok:dev");
    expect(mirrored["kube-scheduler"]).toBe("mirror.example.com/k8s/kube-scheduler:v1.37.1");
    expect(mirrored.etcd).toMatch(/^mirror\.example\.com\/k8s\/etcd:/);
  });

  it("runs each component at its own version while an upgrade rolls, and names that version on its Deployment", () => {
    const rolled = renderSeedControlPlane({ ...plan, componentVersions: { apiServer: "1.37.1", controllers: "1.36.3" } }) as unknown as (Obj & { metadata: { annotations?: Record<string, string> } })[];
    const image = (name: string): string | undefined => templates(rolled).find(([n]) => n === name)?.[1].spec.containers[0]?.image;
    expect(image("kube-apiserver")).toBe("registry.k8s.io/kube-apiserver:v1.37.1");
    expect(image("kube-controller-manager")).toBe("registry.k8s.io/kube-controller-manager:v1.36.3");
    expect(image("kube-scheduler")).toBe("registry.k8s.io/kube-scheduler:v1.36.3");
    const annotation = (name: string): string | undefined => rolled.find((o) => o.kind === "Deployment" && o.metadata.name === name)?.metadata.annotations?.["seedbed.dev/kubernetes-version"];
    expect([annotation("kube-apiserver"), annotation("kube-controller-manager"), annotation("kube-scheduler")]).toEqual(["1.37.1", "1.36.3", "1.36.3"]);
  });
});

describe("renderSeedControlPlane's API Service", () => {
  const service = (exposure: ControlPlanePlan["exposure"]): Record<string, unknown> =>
    objects({ ...plan, exposure }).find((o) => o.kind === "Service" && o.metadata.name === "kube-apiserver")?.spec ?? {};

  it.each([
    { exposure: { serviceType: "NodePort", allowedSourceRanges: [] }, policy: undefined, lbRanges: undefined },
    { exposure: { serviceType: "NodePort", allowedSourceRanges: ["203.0.113.0/24"] }, policy: "Local", lbRanges: undefined },
    { exposure: { serviceType: "LoadBalancer", allowedSourceRanges: [] }, policy: undefined, lbRanges: undefined },
    { exposure: { serviceType: "LoadBalancer", allowedSourceRanges: ["203.0.113.0/24"] }, policy: "Local", lbRanges: ["203.0.113.0/24"] },
  ] as const)("keeps client addresses only when sources are filtered: $exposure.serviceType with $exposure.allowedSourceRanges", ({ exposure, policy, lbRanges }) => {
    const spec = service({ serviceType: exposure.serviceType, allowedSourceRanges: [...exposure.allowedSourceRanges] });
    expect(spec.type).toBe(exposure.serviceType);
    expect(spec.externalTrafficPolicy).toBe(policy);
    expect(spec.loadBalancerSourceRanges).toEqual(lbRanges);
  });
});
