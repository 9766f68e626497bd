import { createClusterAuthorities, issueClusterLeaves } from "@seedbed/pki";
import { describe, expect, it } from "vitest";
import type { ControlPlanePlan } from "../driver.ts";
import { pkiFileContents } from "../pki-layout.ts";
import { renderSeedControlPlane } from "./render.ts";
import { etcdQuotaFor } from "./workloads.ts";

// A PKI in the middle of a CA rotation: every bundle holds two CAs, so a component given a bare CA file would show.
const pkiOptions = { clusterName: "p/c", kubernetesServiceIP: "10.96.0.1" };
const [previous, current] = await Promise.all([createClusterAuthorities(pkiOptions), createClusterAuthorities(pkiOptions, "2")]);
const pki = pkiFileContents(await issueClusterLeaves(current, pkiOptions, { previous, server: "previous", client: "current" }));
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

  it("gives each component only the PKI files it uses, trust as bundles: the cluster CA's key to the controller manager alone, the front-proxy CA's key to none", () => {
    const keys = (name: string): string[] => Object.keys((objects(plan).find((o) => o.kind === "Secret" && o.metadata.name === name) as unknown as { data: Record<string, string> }).data).sort();
    expect(keys("etcd-certs")).toEqual(["etcd-ca-bundle.crt", "etcd-peer.crt", "etcd-peer.key", "etcd-server.crt", "etcd-server.key"]);
    expect(keys("kube-controller-manager-certs")).toEqual(["ca-bundle.crt", "ca.crt", "ca.key", "kubeconfig", "sa-signing.key"]);
    expect(keys("kube-apiserver-certs")).toEqual(
      [
        "apiserver-etcd-client.crt", "apiserver-etcd-client.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key", "apiserver.crt", "apiserver.key",
        "ca-bundle.crt", "etcd-ca-bundle.crt", "front-proxy-ca-bundle.crt", "front-proxy-client.crt", "front-proxy-client.key", "sa-signing.key", "sa-verify.pub",
      ].sort(),
    );
    expect(keys("kube-scheduler-certs")).toEqual(["kubeconfig"]);
    for (const secret of objects(plan).filter((o) => o.kind === "Secret")) expect(Object.keys((secret as unknown as { data: Record<string, string> }).data)).not.toContain("front-proxy-ca.key");
  });

  it.each([
    {
      component: "kube-apiserver",
      flags: [
        "--client-ca-file=ca-bundle.crt", "--kubelet-certificate-authority=ca-bundle.crt", "--etcd-cafile=etcd-ca-bundle.crt", "--service-account-key-file=sa-verify.pub",
        "--service-account-signing-key-file=sa-signing.key", "--requestheader-client-ca-file=front-proxy-ca-bundle.crt", "--tls-cert-file=apiserver.crt", "--etcd-certfile=apiserver-etcd-client.crt",
      ],
    },
    { component: "etcd", flags: ["--trusted-ca-file=etcd-ca-bundle.crt", "--peer-trusted-ca-file=etcd-ca-bundle.crt", "--cert-file=etcd-server.crt", "--peer-cert-file=etcd-peer.crt"] },
    {
      component: "kube-controller-manager",
      flags: ["--root-ca-file=ca-bundle.crt", "--cluster-signing-cert-file=ca.crt", "--cluster-signing-key-file=ca.key", "--service-account-private-key-file=sa-signing.key", "--kubeconfig=kubeconfig"],
    },
  ])("points $component at the trust bundles, every file it names mounted from its own Secret", ({ component, flags }) => {
    const list = objects(plan);
    const workload = list.find((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.metadata.name === component) as unknown as { spec: { template: { spec: { containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[] } } } };
    const container = workload.spec.template.spec.containers[0];
    const mountPath = container?.volumeMounts.find((m) => m.name === "certs")?.mountPath ?? "?";
    // Flags that name a file in the Secret's directory, as --flag=<file name>.
    const named = (container?.args ?? []).flatMap((a) => (a.includes(`=${mountPath}/`) ? [a.replace(`=${mountPath}/`, "=")] : []));
    expect(named).toEqual(expect.arrayContaining(flags));
    const secret = list.find((o) => o.kind === "Secret" && o.metadata.name === `${component}-certs`) as unknown as { data: Record<string, string> };
    for (const flag of named) expect(Object.keys(secret.data), flag).toContain(flag.split("=")[1]);
  });

  it("gives the controllers and kwok kubeconfigs that trust the cluster CA bundle", () => {
    const bundle = Buffer.from(pki.get("ca-bundle.crt") ?? "?", "utf8").toString("base64");
    for (const name of ["kube-controller-manager-certs", "kube-scheduler-certs", "kwok-config"]) {
      const secret = objects({ ...plan, kwok: true }).find((o) => o.kind === "Secret" && o.metadata.name === name) as unknown as { data: Record<string, string> };
      expect(Buffer.from(secret.data.kubeconfig ?? "", "base64").toString("utf8"), name).toContain(`certificate-authority-data: ${bundle}`);
    }
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
});

type PodTemplate = {
  spec: {
    securityContext?: Record<string, unknown>;
    containers: { name: string; image: string; args?: string[]; resources?: Record<string, unknown>; securityContext?: Record<string, unknown>; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[] }[];
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

  it("mounts etcd's data volume writable and every Secret read-only, as a directory the kubelet updates in place (never subPath)", () => {
    for (const [name, template] of templates(objects({ ...plan, kwok: true }))) {
      const secretVolumes = new Set((template.spec.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
      for (const mount of template.spec.containers.flatMap((c) => c.volumeMounts ?? [])) {
        if (!secretVolumes.has(mount.name)) continue;
        expect(mount.readOnly, `${name}/${mount.name}`).toBe(true);
        // A subPath mount is never updated: renewed certificates would reach the pod only when it restarts.
        expect(mount.subPath, `${name}/${mount.name}`).toBeUndefined();
      }
    }
    const etcd = templates(objects(plan)).find(([name]) => name === "etcd")?.[1];
    expect(etcd?.spec.containers[0]?.volumeMounts?.find((m) => m.name === "data")).toEqual({ name: "data", mountPath: "/var/lib/etcd" });
  });

  it("sets etcd's quota below its volume, room left for a defragmentation's copy and the WAL, and no memory limit", () => {
    const etcd = templates(objects(plan)).find(([name]) => name === "etcd")?.[1].spec.containers[0];
    const quota = Number(etcd?.args?.find((a) => a.startsWith("--quota-backend-bytes="))?.split("=")[1]);
    expect(quota).toBe(etcdQuotaFor("2Gi"));
    expect(quota).toBeLessThan(2 ** 30);
    expect(etcdQuotaFor("1Gi")).toBe(320 * 2 ** 20);
    expect(etcdQuotaFor("100Gi")).toBe(8 * 2 ** 30);
    expect(etcdQuotaFor("256Mi")).toBe(64 * 2 ** 20);
    expect(etcd?.resources?.limits).toBeUndefined();
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
