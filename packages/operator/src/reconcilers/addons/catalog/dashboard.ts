import type { KubernetesObject, V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1Container, V1Deployment, V1Namespace, V1ObjectMeta, V1Probe, V1Role, V1RoleBinding, V1Secret, V1Service, V1ServiceAccount, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { addonImage } from "./images.ts";
import { addonLabels, addonMetadata, linuxNodeSelector, nonRootPod, rbacAPIVersion, restrictedContainer } from "./manifest.ts";
import type { AddonContext, RenderedManifests } from "./types.ts";

const addon = "dashboard";
/** The dashboard's namespace, which its own --namespace flag and its Role's Secrets are tied to. */
export const dashboardNamespace = "kubernetes-dashboard";
const namespace = dashboardNamespace;
const name = "kubernetes-dashboard";
const scraperName = "dashboard-metrics-scraper";
const dashboardSelector = { "k8s-app": name };
const scraperSelector = { "k8s-app": scraperName };
/** The dashboard's (and the scraper's) unprivileged user and group, as upstream runs them. */
const user = 1001;
const group = 2001;
const certsSecret = "kubernetes-dashboard-certs";
const csrfSecret = "kubernetes-dashboard-csrf";
const keyHolderSecret = "kubernetes-dashboard-key-holder";
const settingsConfigMap = "kubernetes-dashboard-settings";

/** The dashboard's image: `docker.io/kubernetesui/dashboard:v<dashboard>`, or the same path under the mirror. */
export function dashboardImage(registry?: string): string {
  return addonImage(`docker.io/kubernetesui/dashboard:v${versions.addons.dashboard}`, registry);
}

/** The metrics scraper's image: `docker.io/kubernetesui/metrics-scraper:v<dashboardMetricsScraper>`, or the same path under the mirror. */
export function dashboardMetricsScraperImage(registry?: string): string {
  return addonImage(`docker.io/kubernetesui/metrics-scraper:v${versions.addons.dashboardMetricsScraper}`, registry);
}

/** Metadata of an object in the dashboard's namespace. */
function meta(objectName: string, labels: Readonly<Record<string, string>> = dashboardSelector): V1ObjectMeta {
  return addonMetadata(addon, objectName, { namespace, labels });
}

/**
 * The Secrets and the ConfigMap the dashboard keeps its state in. They are
 * rendered empty, unlike upstream's CSRF Secret with its empty `csrf` key:
 * the dashboard fills the CSRF key, its encryption key and its settings
 * itself at run time, and a rendered value would be "repaired" back over
 * theirs (manifest.ts) — logging every user out.
 */
function dashboardState(): KubernetesObject[] {
  const secret = (secretName: string): V1Secret => ({ apiVersion: "v1", kind: "Secret", metadata: meta(secretName), type: "Opaque" });
  const settings: V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: meta(settingsConfigMap) };
  return [secret(certsSecret), secret(csrfSecret), secret(keyHolderSecret), settings];
}

/**
 * The least upstream grants the dashboard's own account: its own Secrets
 * and settings by name, proxying to its metrics scraper, and reading the
 * metrics API. Everything a user sees, the dashboard reads with the user's
 * own token.
 */
function dashboardRBAC(): KubernetesObject[] {
  const role: V1Role = {
    apiVersion: rbacAPIVersion,
    kind: "Role",
    metadata: meta(name),
    rules: [
      { apiGroups: [""], resources: ["secrets"], resourceNames: [keyHolderSecret, certsSecret, csrfSecret], verbs: ["get", "update", "delete"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: [settingsConfigMap], verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["services"], resourceNames: ["heapster", scraperName], verbs: ["proxy"] },
      { apiGroups: [""], resources: ["services/proxy"], resourceNames: ["heapster", "http:heapster:", "https:heapster:", scraperName, `http:${scraperName}`], verbs: ["get"] },
    ],
  };
  const clusterRole: V1ClusterRole = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRole",
    metadata: addonMetadata(addon, name, { labels: dashboardSelector }),
    rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
  };
  const subjects = [{ kind: "ServiceAccount", name, namespace }];
  const roleBinding: V1RoleBinding = { apiVersion: rbacAPIVersion, kind: "RoleBinding", metadata: meta(name), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects };
  const clusterRoleBinding: V1ClusterRoleBinding = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRoleBinding",
    metadata: addonMetadata(addon, name, { labels: dashboardSelector }),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
    subjects: subjects.map((s) => ({ ...s })),
  };
  return [role, clusterRole, roleBinding, clusterRoleBinding];
}

/** What differs between the dashboard's two containers. */
interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly port: number;
  readonly livenessProbe: V1Probe;
  readonly volumeMounts?: V1VolumeMount[];
}

/** One of the dashboard's containers: restricted, its port over TCP, a writable /tmp its only scratch space. */
function container(spec: ContainerSpec): V1Container {
  return {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    ...(spec.args === undefined ? {} : { args: spec.args }),
    ports: [{ containerPort: spec.port, protocol: "TCP" }],
    securityContext: restrictedContainer(),
    livenessProbe: spec.livenessProbe,
    volumeMounts: [...(spec.volumeMounts ?? []), { name: "tmp-volume", mountPath: "/tmp" }],
  };
}

/** A single-replica Deployment of one container in the dashboard's namespace, non-root, with a bounded /tmp. */
function deployment(deploymentName: string, labels: Readonly<Record<string, string>>, only: V1Container, extraVolumes: V1Volume[] = []): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(deploymentName, labels),
    spec: {
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: addonLabels(addon, labels) },
        spec: {
          serviceAccountName: name,
          nodeSelector: linuxNodeSelector(),
          securityContext: nonRootPod(user, group),
          containers: [only],
          // Never an empty emptyDir object (manifest.ts): bounded instead.
          volumes: [...extraVolumes, { name: "tmp-volume", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/** The dashboard (HTTPS on 8443 with a certificate it makes itself) and the scraper that keeps a short history of metrics for its graphs. */
function dashboardWorkloads(ctx: AddonContext): KubernetesObject[] {
  const dashboard = deployment(
    name,
    dashboardSelector,
    container({
      name,
      image: dashboardImage(ctx.imageRegistry),
      args: ["--auto-generate-certificates", `--namespace=${namespace}`],
      port: 8443,
      livenessProbe: { httpGet: { path: "/", port: 8443, scheme: "HTTPS" }, initialDelaySeconds: 30, timeoutSeconds: 30 },
      volumeMounts: [{ name: certsSecret, mountPath: "/certs" }],
    }),
    [{ name: certsSecret, secret: { secretName: certsSecret } }],
  );
  const scraper = deployment(
    scraperName,
    scraperSelector,
    container({
      name: scraperName,
      image: dashboardMetricsScraperImage(ctx.imageRegistry),
      port: 8000,
      livenessProbe: { httpGet: { path: "/", port: 8000, scheme: "HTTP" }, initialDelaySeconds: 30, timeoutSeconds: 30 },
    }),
  );
  const service = (serviceName: string, selector: Readonly<Record<string, string>>, port: number, targetPort: number): V1Service => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(serviceName, selector),
    spec: { selector: { ...selector }, ports: [{ port, targetPort, protocol: "TCP" }] },
  });
  return [service(name, dashboardSelector, 443, 8443), dashboard, service(scraperName, scraperSelector, 8000, 8000), scraper];
}

/**
 * The Kubernetes dashboard (v2: one image serving UI and API, behind the
 * Service kubernetes-dashboard on 443) in its own namespace — first, since
 * everything else lives in it — with its account, state, least-privilege
 * RBAC and the metrics scraper.
 */
export function renderDashboard(ctx: AddonContext): RenderedManifests {
  const ns: V1Namespace = { apiVersion: "v1", kind: "Namespace", metadata: addonMetadata(addon, namespace) };
  const account: V1ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name) };
  return {
    source: "BuiltIn",
    version: versions.addons.dashboard,
    objects: [ns, account, ...dashboardState(), ...dashboardRBAC(), ...dashboardWorkloads(ctx)],
  };
}
