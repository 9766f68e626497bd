import type { KubernetesObject, V1Container, V1Deployment } from "@kubernetes/client-node";
import { group } from "@seedbed/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ofKind, parseManifests, rbacRules, theOne } from "./manifests.ts";
import { createHelm, release, type Helm } from "./tools.ts";

// The server's objects as the chart renders them offline; chart.int.test.ts
// installs them and asks the API server what the server's account may do.
const server = "seedbed-server";
const operator = "seedbed-operator";
const domain = "clusters.example.com";

/** The one container of a Deployment's pods. */
function containerOf(deployment: V1Deployment): V1Container {
  const [container, ...others] = deployment.spec?.template.spec?.containers ?? [];
  if (!container || others.length > 0) throw new Error(`expected one container in ${deployment.metadata?.name ?? "?"}`);
  return container;
}

describe("the Helm chart's server (seedbed serve)", () => {
  let helm: Helm;
  let objects: KubernetesObject[];
  let deployment: V1Deployment;
  beforeAll(async () => {
    helm = createHelm();
    objects = parseManifests(await helm.template());
    deployment = theOne(objects, "Deployment", server);
  });
  afterAll(() => {
    helm.dispose();
  });

  /** The chart rendered with extra flags, and its server Deployment's container. */
  async function render(...flags: string[]): Promise<{ objects: KubernetesObject[]; container: V1Container }> {
    const rendered = parseManifests(await helm.template(...flags));
    return { objects: rendered, container: containerOf(theOne(rendered, "Deployment", server)) };
  }

  it("runs two replicas of `seedbed serve` as their own ServiceAccount, with the operator's image and security contexts", () => {
    const pod = deployment.spec?.template.spec;
    const container = containerOf(deployment);
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.metadata?.labels?.["app.kubernetes.io/component"]).toBe("server");
    expect(deployment.spec?.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "seedbed", "app.kubernetes.io/instance": release.name, "app.kubernetes.io/component": "server" });
    expect(container.image).toBe("ghcr.io/seedbed/seedbed:0.1.0");
    expect(container.command).toEqual(["seedbed"]);
    expect(container.args).toEqual(["serve", "--host=0.0.0.0", "--api-port=8443", "--log-level=info", "--insecure-http"]);
    expect(pod?.serviceAccountName).toBe(server);
    const account = theOne(objects, "ServiceAccount", server);
    expect(account.metadata?.namespace).toBe(release.namespace);
    expect(account.metadata?.labels?.["app.kubernetes.io/component"]).toBe("server");

    const operatorPod = theOne(objects, "Deployment", operator).spec?.template.spec;
    expect(pod?.securityContext).toEqual(operatorPod?.securityContext);
    expect(container.securityContext).toEqual(operatorPod?.containers[0]?.securityContext);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources).toEqual({ requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } });
    expect(pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm).toEqual({
      topologyKey: "kubernetes.io/hostname",
      labelSelector: { matchLabels: deployment.spec?.selector.matchLabels },
    });
    expect(theOne(objects, "PodDisruptionBudget", server).spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: deployment.spec?.selector.matchLabels } });
  });

  it("serves the REST API over plain HTTP on 8443 without TLS, probed on /healthz, behind the Service seedbed on 443", () => {
    const container = containerOf(deployment);
    expect(container.ports).toEqual([{ name: "http", containerPort: 8443, protocol: "TCP" }]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http", scheme: "HTTP" });
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: "http", scheme: "HTTP" });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    const service = theOne(objects, "Service", "seedbed");
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.ports).toEqual([{ name: "http", port: 443, targetPort: "http", protocol: "TCP" }]);
    expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
  });

  it("runs the SNI gateway on 6443 with sharedEndpoint.domain, exposed on sharedEndpoint.port or server.service.gatewayPort", async () => {
    const { objects: rendered, container } = await render(`--set=sharedEndpoint.domain=${domain}`);
    expect(container.args).toEqual(["serve", "--host=0.0.0.0", "--api-port=8443", "--log-level=info", "--gateway-port=6443", `--shared-endpoint-domain=${domain}`, "--insecure-http"]);
    expect(container.ports).toEqual([
      { name: "http", containerPort: 8443, protocol: "TCP" },
      { name: "gateway", containerPort: 6443, protocol: "TCP" },
    ]);
    // The gateway listens only once its routes are synced, after the API: it decides readiness.
    expect(container.readinessProbe?.tcpSocket).toEqual({ port: "gateway" });
    expect(container.readinessProbe?.httpGet).toBeUndefined();
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http", scheme: "HTTP" });
    // The defaults do not clash: the REST API on 443, the clusters on kube-apiserver's usual 6443.
    expect(theOne(rendered, "Service", "seedbed").spec?.ports).toEqual([
      { name: "http", port: 443, targetPort: "http", protocol: "TCP" },
      { name: "gateway", port: 6443, targetPort: "gateway", protocol: "TCP" },
    ]);

    const { objects: custom } = await render(`--set=sharedEndpoint.domain=${domain}`, "--set=sharedEndpoint.port=6443", "--set=server.service.gatewayPort=7443");
    expect(theOne(custom, "Service", "seedbed").spec?.ports).toEqual([
      { name: "http", port: 443, targetPort: "http", protocol: "TCP" },
      { name: "gateway", port: 7443, targetPort: "gateway", protocol: "TCP" },
    ]);
  });

  it("refuses to render the REST API and the gateway on the same Service port", async () => {
    await expect(helm.template(`--set=sharedEndpoint.domain=${domain}`, "--set=sharedEndpoint.port=443")).rejects.toThrow(/server\.service\.apiPort and the gateway's port .* are both 443/);
    await expect(helm.template(`--set=sharedEndpoint.domain=${domain}`, "--set=server.service.gatewayPort=443")).rejects.toThrow(/both 443/);
  });

  it("mounts server.tls.secretName read-only and serves the REST API over HTTPS, probed with scheme HTTPS", async () => {
    const { objects: rendered, container } = await render("--set=server.tls.secretName=seedbed-tls");
    expect(container.args).toEqual(["serve", "--host=0.0.0.0", "--api-port=8443", "--log-level=info", "--tls-cert-file=/etc/seedbed/tls/tls.crt", "--tls-key-file=/etc/seedbed/tls/tls.key"]);
    expect(container.ports).toEqual([{ name: "https", containerPort: 8443, protocol: "TCP" }]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "https", scheme: "HTTPS" });
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: "https", scheme: "HTTPS" });
    expect(container.volumeMounts).toContainEqual({ name: "tls", mountPath: "/etc/seedbed/tls", readOnly: true });
    expect(theOne(rendered, "Deployment", server).spec?.template.spec?.volumes).toContainEqual({
      name: "tls",
      secret: { secretName: "seedbed-tls", items: [{ key: "tls.crt", path: "tls.crt" }, { key: "tls.key", path: "tls.key" }] },
    });
    expect(theOne(rendered, "Service", "seedbed").spec?.ports).toEqual([{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }]);
  });

  it("grants the server exactly get, list and watch on projects and clusters, bound to its ServiceAccount alone", () => {
    const granted = rbacRules(objects).filter((r) => r.grantedBy === `ClusterRole/${server}`).map((r) => r.rule);
    expect(granted).toEqual([
      { apiGroups: [group], resources: ["projects"], verbs: ["get", "list", "watch"] },
      { apiGroups: [group], resources: ["clusters"], verbs: ["get", "list", "watch"] },
    ]);
    expect(theOne(objects, "ClusterRoleBinding", server)).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: server },
      subjects: [{ kind: "ServiceAccount", name: server, namespace: release.namespace }],
    });
    // No other binding names the server's account, so nothing else adds to those rules.
    const bindings = [...ofKind(objects, "ClusterRoleBinding"), ...ofKind(objects, "RoleBinding")].filter((b) => b.subjects?.some((s) => s.name === server));
    expect(bindings.map((b) => b.metadata?.name)).toEqual([server]);
  });

  it("renders no server object with server.enabled=false, and keeps the operator and its metrics Service", async () => {
    const rendered = parseManifests(await helm.template("--set=server.enabled=false"));
    const names = rendered.map((o) => `${o.kind ?? ""}/${o.metadata?.name ?? ""}`);
    expect(rendered.filter((o) => o.metadata?.labels?.["app.kubernetes.io/component"] === "server")).toEqual([]);
    expect(names.filter((n) => n.includes("server") || n === "Service/seedbed")).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(["Deployment/seedbed-operator", "Service/seedbed-operator-metrics", "ClusterRole/seedbed-operator"]));
    // The gateway's values alone do not bring the server back.
    const withDomain = parseManifests(await helm.template("--set=server.enabled=false", `--set=sharedEndpoint.domain=${domain}`));
    expect(ofKind(withDomain, "Deployment").map((d) => d.metadata?.name)).toEqual([operator]);
  });

  it("applies the server's own values and leaves the operator's alone", async () => {
    const { objects: rendered, container } = await render(
      "--set=server.replicaCount=3",
      "--set=server.logLevel=debug",
      "--set=server.extraArgs={--some-flag=value}",
      "--set=server.nodeSelector.pool=edge",
      "--set=server.tolerations[0].key=edge,server.tolerations[0].operator=Exists",
      "--set=server.podAnnotations.team=platform",
      "--set=server.service.type=LoadBalancer",
      "--set=server.service.annotations.lb\\.example\\.com/scheme=internet-facing",
      "--set=server.serviceAccount.create=false",
      "--set=server.serviceAccount.name=frontend",
    );
    const serverDeployment = theOne(rendered, "Deployment", server);
    const pod = serverDeployment.spec?.template.spec;
    expect(serverDeployment.spec?.replicas).toBe(3);
    expect(container.args?.slice(3)).toEqual(["--log-level=debug", "--insecure-http", "--some-flag=value"]);
    expect(pod?.nodeSelector).toEqual({ pool: "edge" });
    expect(pod?.tolerations).toEqual([{ key: "edge", operator: "Exists" }]);
    expect(serverDeployment.spec?.template.metadata?.annotations).toEqual({ team: "platform" });
    expect(pod?.serviceAccountName).toBe("frontend");
    expect(ofKind(rendered, "ServiceAccount").map((a) => a.metadata?.name)).toEqual([operator, "seedbed-uninstall"]);
    expect(theOne(rendered, "ClusterRoleBinding", server).subjects).toEqual([{ kind: "ServiceAccount", name: "frontend", namespace: release.namespace }]);
    const service = theOne(rendered, "Service", "seedbed");
    expect(service.spec?.type).toBe("LoadBalancer");
    expect(service.metadata?.annotations).toEqual({ "lb.example.com/scheme": "internet-facing" });

    const operatorDeployment = theOne(rendered, "Deployment", operator);
    expect(operatorDeployment.spec?.replicas).toBe(2);
    expect(operatorDeployment.spec?.template.spec?.nodeSelector).toBeUndefined();
    expect(operatorDeployment.spec?.template.spec?.tolerations).toBeUndefined();
    expect(operatorDeployment.spec?.template.spec?.containers[0]?.args).not.toContain("--some-flag=value");
  });

  it("refuses the old service.* values with a pointer to server.service.*", async () => {
    await expect(helm.template("--set=service.httpsPort=8443")).rejects.toThrow(/service\.\* moved to server\.service\.\*/);
  });
});
