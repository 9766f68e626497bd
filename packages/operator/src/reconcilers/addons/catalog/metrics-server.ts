import type { KubernetesObject, V1APIService, V1ClusterRole, V1ClusterRoleBinding, V1Deployment, V1RoleBinding, V1Service, V1ServiceAccount } from "@kubernetes/client-node";
import { versions } from "@seedbed/binaries";
import { addonImage } from "./images.ts";
import { addonLabels, addonMetadata, criticalAddonTolerations, linuxNodeSelector, nonRootPod, rbacAPIVersion, restrictedContainer } from "./manifest.ts";
import type { AddonContext, RenderedManifests } from "./types.ts";

const addon = "metrics-server";
const namespace = "kube-system";
const name = "metrics-server";
const selector = { "k8s-app": "metrics-server" };
/** The kubelet's port, free in metrics-server's own pod: upstream serves there so that host-network setups need no other firewall hole. */
const securePort = 10250;
/** Upstream's unprivileged user. */
const nonRootUser = 1000;

/** The metrics-server image: `registry.k8s.io/metrics-server/metrics-server:v<metricsServer>`, or the same path under the mirror. */
export function metricsServerImage(registry?: string): string {
  return addonImage(`registry.k8s.io/metrics-server/metrics-server:v${versions.addons.metricsServer}`, registry);
}

/** A binding of metrics-server's service account to a role (`Role` in kube-system or `ClusterRole`). */
function bindingTo(kind: "ClusterRoleBinding" | "RoleBinding", bindingName: string, roleKind: "ClusterRole" | "Role", roleName: string): V1ClusterRoleBinding | V1RoleBinding {
  return {
    apiVersion: rbacAPIVersion,
    kind,
    metadata: addonMetadata(addon, bindingName, kind === "RoleBinding" ? { namespace, labels: selector } : { labels: selector }),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
    subjects: [{ kind: "ServiceAccount", name, namespace }],
  };
}

/**
 * Who metrics-server is and what it may do: read nodes' and pods' metrics
 * from the kubelets, delegate the authentication and authorisation of its
 * callers to the API server, and read the requestheader configuration the
 * API server publishes in kube-system (extension-apiserver-authentication).
 * The aggregated reader lets the built-in view/edit/admin roles read
 * metrics.k8s.io.
 */
function metricsServerIdentity(): KubernetesObject[] {
  const account: V1ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: addonMetadata(addon, name, { namespace, labels: selector }) };
  const reader: V1ClusterRole = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRole",
    metadata: addonMetadata(addon, "system:aggregated-metrics-reader", {
      labels: { ...selector, "rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-view": "true" },
    }),
    rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
  };
  const scraper: V1ClusterRole = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRole",
    metadata: addonMetadata(addon, "system:metrics-server", { labels: selector }),
    rules: [
      { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
      { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
    ],
  };
  return [
    account,
    reader,
    scraper,
    bindingTo("RoleBinding", "metrics-server-auth-reader", "Role", "extension-apiserver-authentication-reader"),
    bindingTo("ClusterRoleBinding", "metrics-server:system:auth-delegator", "ClusterRole", "system:auth-delegator"),
    bindingTo("ClusterRoleBinding", "system:metrics-server", "ClusterRole", "system:metrics-server"),
  ];
}

/**
 * metrics-server as upstream runs it. It verifies the kubelets' serving
 * certificates against the cluster CA (no --kubelet-insecure-tls): Seedbed's
 * kubelets get theirs signed through serverTLSBootstrap. It reaches them at
 * their InternalIP, the address every Seedbed node reports.
 */
function metricsServerDeployment(ctx: AddonContext): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: addonMetadata(addon, name, { namespace, labels: selector }),
    spec: {
      replicas: 1,
      // Never below one serving replica: the metrics API is unavailable while none serves.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: addonLabels(addon, selector) },
        spec: {
          serviceAccountName: name,
          priorityClassName: "system-cluster-critical",
          nodeSelector: linuxNodeSelector(),
          tolerations: criticalAddonTolerations(),
          securityContext: nonRootPod(nonRootUser),
          containers: [
            {
              name,
              image: metricsServerImage(ctx.imageRegistry),
              imagePullPolicy: "IfNotPresent",
              args: ["--cert-dir=/tmp", `--secure-port=${securePort}`, "--kubelet-preferred-address-types=InternalIP", "--kubelet-use-node-status-port", "--metric-resolution=15s"],
              ports: [{ name: "https", containerPort: securePort, protocol: "TCP" }],
              resources: { requests: { cpu: "100m", memory: "200Mi" } },
              securityContext: restrictedContainer(),
              livenessProbe: { httpGet: { path: "/livez", port: "https", scheme: "HTTPS" }, periodSeconds: 10, failureThreshold: 3 },
              readinessProbe: { httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" }, initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 },
              volumeMounts: [{ name: "tmp-dir", mountPath: "/tmp" }],
            },
          ],
          // Its self-signed serving certificate goes here; bounded, and never an empty object (see manifest.ts).
          volumes: [{ name: "tmp-dir", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/**
 * The metrics API, served by metrics-server through the aggregation layer.
 * Every tenant API server already runs with the front-proxy CA and client
 * certificate (the --requestheader-* and --proxy-client-* flags of
 * packages/controlplane), so it can proxy to metrics-server and
 * metrics-server can trust who it says the caller is. The API server does
 * not verify metrics-server's self-signed certificate
 * (insecureSkipTLSVerify), as upstream ships it.
 */
function metricsAPIService(): V1APIService {
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: addonMetadata(addon, "v1beta1.metrics.k8s.io", { labels: selector }),
    spec: {
      group: "metrics.k8s.io",
      version: "v1beta1",
      service: { name, namespace, port: 443 },
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
}

/** metrics-server, which `kubectl top` and the HorizontalPodAutoscaler read node and pod usage from. */
export function renderMetricsServer(ctx: AddonContext): RenderedManifests {
  const service: V1Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: addonMetadata(addon, name, { namespace, labels: selector }),
    spec: { selector: { ...selector }, ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }] },
  };
  return {
    source: "BuiltIn",
    version: versions.addons.metricsServer,
    objects: [...metricsServerIdentity(), service, metricsServerDeployment(ctx), metricsAPIService()],
  };
}
