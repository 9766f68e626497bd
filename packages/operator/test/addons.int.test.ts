import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ConfigMap, type V1Deployment } from "@kubernetes/client-node";
import { apiVersion, type AddonStatus, type Cluster } from "@seedbed/api";
import { versions } from "@seedbed/binaries";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveChartRepository, valuesConfigMapChart, type ChartSource, type ServedChartRepository } from "./helm-charts.ts";
import { serveOCIRegistry, type ServedOCIRegistry } from "./oci-registry.ts";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-addons";
const group = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/** The test's hello chart: its values in a ConfigMap, and a Deployment (a workload the controller judges and repairs). */
function helloChart(version: string): ChartSource {
  const values = valuesConfigMapChart("hello", version, { values: { greeting: "hello" } });
  const deployment = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {{ .Release.Name }}-web", "  namespace: {{ .Release.Namespace }}", "spec:", "  replicas: 1", "  selector:", "    matchLabels: { app: {{ .Release.Name }}-web }", "  template:", "    metadata:", "      labels: { app: {{ .Release.Name }}-web }", "    spec:", "      containers:", "        - name: web", "          image: registry.k8s.io/pause:3.10", ""].join("\n");
  return { ...values, templates: { ...values.templates, "deployment.yaml": deployment } };
}

/** A chart that fails to render: an unclosed action. */
const brokenTemplate = { "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name \n" };

// The add-on controller on a real tenant (local driver) with a kwok node
// for its pods: CoreDNS by default, built-in add-ons, a CNI chart and a
// Helm add-on from a chart repository the test serves (upstream ones are
// not reachable here), drift repair and removal.
describe("add-ons", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let charts: ServedChartRepository;
  let registry: ServedOCIRegistry;
  let objects: CustomObjectsApi;
  let tenant: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  const readCluster = async (): Promise<Cluster> => (await objects.getNamespacedCustomObject({ ...group, plural: "clusters", name: "dns" })) as Cluster;
  const addon = (c: Cluster, name: string): AddonStatus | undefined => c.status?.addons?.find((a) => a.name === name);
  const addonsReady = (c: Cluster): string | undefined => c.status?.conditions?.find((x) => x.type === "AddonsReady")?.status;
  const patchSpec = (spec: object): Promise<unknown> => objects.patchNamespacedCustomObject({ ...group, plural: "clusters", name: "dns", body: { spec } }, mergePatch);
  const configMap = (ns: string, name: string): Promise<V1ConfigMap | undefined> => core.readNamespacedConfigMap({ namespace: ns, name }).catch(() => undefined);
  const coredns = (): Promise<V1Deployment | undefined> => apps.readNamespacedDeployment({ namespace: "kube-system", name: "coredns" }).catch(() => undefined);

  beforeAll(async () => {
    charts = await serveChartRepository([
      // The flannel chart at the pinned version, standing in for upstream's: it writes the values it gets into a ConfigMap.
      valuesConfigMapChart("flannel", versions.addons.flannel),
      helloChart("0.1.0"),
      helloChart("0.2.0"),
      { name: "hello", version: "0.3.0", templates: brokenTemplate },
    ]);
    registry = await serveOCIRegistry([valuesConfigMapChart("greeter", "1.0.0")]);
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    platform = await startLocalOperator(kc, namespace, { addons: { cniRepositories: { flannel: charts.url } } });
    await objects.createNamespacedCustomObject({
      ...group,
      plural: "clusters",
      body: {
        apiVersion,
        kind: "Cluster",
        metadata: { name: "dns", namespace },
        spec: { network: { podCIDR: "10.45.0.0/16", serviceCIDR: "10.100.0.0/16", dnsDomain: "corp.example", cni: "flannel" }, addons: [{ name: "metrics-server" }, { name: "dashboard" }] },
      },
    });
    await objects.createNamespacedCustomObject({ ...group, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "dns", replicas: 1, machineTemplate: { cpu: "8", memory: "16Gi" } } } });
    await eventually(readCluster, (c) => c.status?.phase === "Running", { timeoutMs: 120_000, description: "cluster Running" });
    tenant = await tenantKubeConfig(kc.makeApiClient(CoreV1Api), namespace, "dns");
    core = tenant.makeApiClient(CoreV1Api);
    apps = tenant.makeApiClient(AppsV1Api);
  });
  afterAll(async () => {
    await platform.stop();
    await charts.close();
    await registry.close();
  });

  it("installs CoreDNS at the tenth address of the service range with the cluster's domain, the built-ins asked for and the CNI chart with the pod range, and reports AddonsReady", async () => {
    const cluster = await eventually(readCluster, (c) => addonsReady(c) === "True", { timeoutMs: 120_000, description: "AddonsReady True" });
    expect(cluster.status?.addons?.map((a) => [a.name, a.source, a.phase, a.ready])).toEqual([
      ["coredns", "BuiltIn", "Installed", true],
      ["dashboard", "BuiltIn", "Installed", true],
      ["flannel", "Helm", "Installed", true],
      ["metrics-server", "BuiltIn", "Installed", true],
    ]);
    expect(addon(cluster, "coredns")?.version).toBe(versions.coredns);
    expect(addon(cluster, "flannel")?.version).toBe(versions.addons.flannel);
    const service = await core.readNamespacedService({ namespace: "kube-system", name: "kube-dns" });
    expect(service.spec?.clusterIP).toBe("10.100.0.10");
    expect((await configMap("kube-system", "coredns"))?.data?.Corefile).toMatch(/kubernetes corp\.example in-addr\.arpa ip6\.arpa/);
    // The CNI chart got the cluster's pod range from Seedbed (the test's chart writes its values into a ConfigMap).
    const values = JSON.parse((await configMap("kube-flannel", "flannel-values"))?.data?.["values.json"] ?? "{}") as { podCidr?: string };
    expect(values.podCidr).toBe("10.45.0.0/16");
    // The aggregated metrics API is registered; the dashboard has a namespace of its own.
    const apiServices = (await tenant.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: "apiregistration.k8s.io", version: "v1", plural: "apiservices" })) as { items: { metadata: { name: string } }[] };
    expect(apiServices.items.map((s) => s.metadata.name)).toContain("v1beta1.metrics.k8s.io");
    expect((await apps.listNamespacedDeployment({ namespace: "kubernetes-dashboard" })).items.length).toBeGreaterThan(0);
  });

  it("puts back a deleted Deployment and a changed image, keeping a label a user added and the user's coredns-custom ConfigMap", async () => {
    const extra = "stub.example:1053 {\n    forward . 10.0.0.53\n}\n";
    await core.createNamespacedConfigMap({ namespace: "kube-system", body: { metadata: { name: "coredns-custom" }, data: { "stub.server": extra } } });
    const before = await coredns();
    const image = before?.spec?.template.spec?.containers[0]?.image;
    expect(image).toMatch(/coredns/);
    // A user labels the Deployment and someone swaps its image.
    await apps.patchNamespacedDeployment({ namespace: "kube-system", name: "coredns", body: { metadata: { labels: { team: "dns" } } } }, mergePatch);
    await apps.patchNamespacedDeployment({ namespace: "kube-system", name: "coredns", body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "example.com/not-coredns:v0" }] }, jsonPatch);
    const repaired = await eventually(coredns, (d) => d?.spec?.template.spec?.containers[0]?.image === image, { timeoutMs: 30_000, description: "the image put back" });
    expect(repaired?.metadata?.labels?.team).toBe("dns");

    await apps.deleteNamespacedDeployment({ namespace: "kube-system", name: "coredns" });
    const recreated = await eventually(coredns, (d) => d !== undefined && d.metadata?.uid !== before?.metadata?.uid, { timeoutMs: 30_000, description: "the Deployment created again" });
    expect(recreated?.spec?.template.spec?.volumes?.map((v) => v.configMap?.name)).toContain("coredns-custom");
    expect((await configMap("kube-system", "coredns-custom"))?.data?.["stub.server"]).toBe(extra);
    const events = await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: "reason=AddonRepaired" });
    expect(events.items.map((e) => e.message ?? "").join("\n")).toMatch(/coredns/);
    await eventually(readCluster, (c) => addonsReady(c) === "True", { timeoutMs: 60_000, description: "AddonsReady True again" });
  });

  it("pulls add-on images from the mirror its Seed names", async () => {
    const seeds = { group: "seedbed.dev", version: "v1alpha1", plural: "seeds", name: "local" };
    await objects.patchClusterCustomObject({ ...seeds, body: { spec: { imageRegistry: "mirror.example.com/k8s" } } }, mergePatch);
    await eventually(coredns, (d) => d?.spec?.template.spec?.containers[0]?.image === `mirror.example.com/k8s/coredns/coredns:v${versions.coredns}`, { timeoutMs: 30_000, description: "CoreDNS from the mirror" });
    await objects.patchClusterCustomObject({ ...seeds, body: { spec: { imageRegistry: null } } }, mergePatch);
    await eventually(coredns, (d) => d?.spec?.template.spec?.containers[0]?.image === `registry.k8s.io/coredns/coredns:v${versions.coredns}`, { timeoutMs: 30_000, description: "CoreDNS from upstream again" });
  });

  it("installs a Helm add-on, Ready once its Deployment is, installs it again when that is deleted, upgrades it on a values change, reports a broken chart with helm's message, and uninstalls it when removed", async () => {
    const hello = (version: string, greeting: string): object => ({ name: "hello", helm: { repository: charts.url, chart: "hello", version, namespace: "apps", values: { greeting } } });
    const greeting = async (): Promise<string | undefined> => (JSON.parse((await configMap("apps", "hello-values"))?.data?.["values.json"] ?? "{}") as { greeting?: string }).greeting;
    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }, hello("0.1.0", "hi")] });
    // Installed once its Deployment is available (on the kwok node).
    const installed = await eventually(readCluster, (c) => addon(c, "hello")?.phase === "Installed", { timeoutMs: 60_000, description: "hello Installed" });
    expect(addon(installed, "hello")?.ready).toBe(true);
    expect(await greeting()).toBe("hi");
    const firstDigest = addon(installed, "hello")?.digest;
    // Its Deployment deleted: helm installs the release again.
    const web = await apps.readNamespacedDeployment({ namespace: "apps", name: "hello-web" });
    await apps.deleteNamespacedDeployment({ namespace: "apps", name: "hello-web" });
    await eventually(() => apps.readNamespacedDeployment({ namespace: "apps", name: "hello-web" }).catch(() => undefined), (d) => d !== undefined && d.metadata?.uid !== web.metadata?.uid, { timeoutMs: 30_000, description: "hello-web installed again" });
    // The Event follows helm's return, which comes after the Deployment it made.
    const repairs = await eventually(
      async () => (await api().kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: "reason=AddonRepaired" })).items.map((e) => e.message ?? "").join("\n"),
      (messages) => /hello: chart hello 0\.1\.0, installed again/.test(messages),
      { timeoutMs: 30_000, description: "the AddonRepaired Event" },
    );
    expect(repairs).toMatch(/hello: chart hello 0\.1\.0, installed again/);

    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }, hello("0.2.0", "hey")] });
    await eventually(greeting, (g) => g === "hey", { timeoutMs: 60_000, description: "the release upgraded with the new values" });
    const upgraded = await eventually(readCluster, (c) => addon(c, "hello")?.version === "0.2.0" && addon(c, "hello")?.phase === "Installed");
    expect(addon(upgraded, "hello")?.digest).not.toBe(firstDigest);
    expect((await configMap("apps", "hello-values"))?.data?.chartVersion).toBe("0.2.0");

    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }, hello("0.3.0", "hey")] });
    const failed = await eventually(readCluster, (c) => addon(c, "hello")?.phase === "Failed", { timeoutMs: 60_000, description: "hello Failed" });
    expect(addon(failed, "hello")?.message).toMatch(/parse error|broken\.yaml/);
    const condition = failed.status?.conditions?.find((c) => c.type === "AddonsReady");
    expect([condition?.status, condition?.reason]).toEqual(["False", "AddonFailed"]);
    // The release that worked still runs.
    expect(await greeting()).toBe("hey");

    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }] });
    await eventually(() => configMap("apps", "hello-values"), (c) => c === undefined, { timeoutMs: 60_000, description: "the release uninstalled" });
    const removed = await eventually(readCluster, (c) => addon(c, "hello") === undefined && addonsReady(c) === "True", { timeoutMs: 60_000, description: "hello gone from status" });
    expect(removed.status?.addons?.map((a) => a.name)).toEqual(["coredns", "dashboard", "flannel", "metrics-server"]);
  });

  it("installs a Helm add-on from a private OCI registry once its caBundle names the registry's CA, reporting helm's TLS error before", async () => {
    const greeter = (caBundle?: string): object => ({ name: "greeter", helm: { repository: registry.repository, chart: "greeter", version: "1.0.0", namespace: "oci", ...(caBundle === undefined ? {} : { caBundle }) } });
    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }, greeter()] });
    const refused = await eventually(readCluster, (c) => addon(c, "greeter")?.phase === "Failed", { timeoutMs: 60_000, description: "greeter Failed without the CA" });
    expect(addon(refused, "greeter")?.message).toMatch(/certificate signed by unknown authority/);
    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }, greeter(registry.caBundle)] });
    const installed = await eventually(readCluster, (c) => addon(c, "greeter")?.phase === "Installed", { timeoutMs: 60_000, description: "greeter Installed with the CA" });
    expect(addon(installed, "greeter")).toMatchObject({ source: "Helm", version: "1.0.0", ready: true, release: "greeter", namespace: "oci" });
    expect((await configMap("oci", "greeter-values"))?.data?.chartVersion).toBe("1.0.0");
    await patchSpec({ addons: [{ name: "metrics-server" }, { name: "dashboard" }] });
    await eventually(() => configMap("oci", "greeter-values"), (c) => c === undefined, { timeoutMs: 60_000, description: "greeter uninstalled" });
  });

  it("removes every object of an add-on turned off, CoreDNS included, and its status entry", async () => {
    // metrics-server goes too: its APIService, unreachable from the API server on kwok nodes, would hold the dashboard's namespace in Terminating (discovery fails).
    await patchSpec({ addons: [{ name: "coredns", enabled: false }] });
    await eventually(coredns, (d) => d === undefined, { timeoutMs: 60_000, description: "CoreDNS removed" });
    await eventually(() => core.readNamespace({ name: "kubernetes-dashboard" }).then((n) => n.status?.phase ?? "Active", () => "gone"), (phase) => phase !== "Active", { timeoutMs: 60_000, description: "the dashboard's namespace going" });
    const cluster = await eventually(readCluster, (c) => addon(c, "coredns") === undefined && addon(c, "dashboard") === undefined && addon(c, "metrics-server") === undefined, { timeoutMs: 60_000, description: "the add-ons gone from status" });
    expect(cluster.status?.addons?.map((a) => a.name)).toEqual(["flannel"]);
    expect(await core.readNamespacedService({ namespace: "kube-system", name: "kube-dns" }).catch(() => undefined)).toBeUndefined();
    // The user's own ConfigMap was never Seedbed's.
    expect(await configMap("kube-system", "coredns-custom")).toBeDefined();
  });

  it("reports an add-on whose object the tenant refuses as Failed with the tenant's message, keeps the others, and installs it once allowed", async () => {
    const admission = tenant.makeApiClient(CustomObjectsApi);
    const policy = { group: "admissionregistration.k8s.io", version: "v1" };
    await admission.createClusterCustomObject({ ...policy, plural: "validatingadmissionpolicies", body: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "no-dashboards" }, spec: { failurePolicy: "Fail", matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"] }] }, validations: [{ expression: "object.metadata.name != 'kubernetes-dashboard'", message: "no dashboards in this cluster" }] } } });
    await admission.createClusterCustomObject({ ...policy, plural: "validatingadmissionpolicybindings", body: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "no-dashboards" }, spec: { policyName: "no-dashboards", validationActions: ["Deny"] } } });
    // The policy takes effect once the API server has loaded it: until then a create goes through, so wait for a refusal.
    const probe = { metadata: { name: "kubernetes-dashboard" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } } } };
    await eventually(() => apps.createNamespacedDeployment({ namespace: "default", body: probe, dryRun: "All" }).then(() => "allowed", (error: unknown) => String((error as { body?: unknown }).body ?? error)), (answer) => answer.includes("no dashboards in this cluster"), { timeoutMs: 30_000, description: "the policy in effect" });
    await patchSpec({ addons: [{ name: "coredns", enabled: false }, { name: "dashboard" }] });
    // (The namespace of the dashboard removed by the test before may still be terminating: a refusal of its own, retried.)
    const failed = await eventually(readCluster, (c) => addon(c, "dashboard")?.phase === "Failed" && /no dashboards in this cluster/.test(addon(c, "dashboard")?.message ?? ""), { timeoutMs: 90_000, description: "dashboard Failed by the policy" });
    expect(addon(failed, "flannel")?.phase).toBe("Installed");
    expect(failed.status?.conditions?.find((c) => c.type === "AddonsReady")?.reason).toBe("AddonFailed");
    await admission.deleteClusterCustomObject({ ...policy, plural: "validatingadmissionpolicybindings", name: "no-dashboards" });
    await eventually(readCluster, (c) => addon(c, "dashboard")?.phase === "Installed", { timeoutMs: 90_000, description: "dashboard Installed once allowed" });
  });

  it("refuses at admission an add-on that is neither built in nor a chart, naming the field", async () => {
    const refused = await patchSpec({ addons: [{ name: "nosuch" }] }).then(() => undefined, (error: unknown) => String((error as { body?: unknown }).body ?? error));
    expect(refused).toMatch(/spec\.addons\[0\]\.name.*unknown built-in add-on 'nosuch'/);
  });
});
