import type { KubernetesObject, V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1Deployment, V1Service, V1ServiceAccount } from "@kubernetes/client-node";
import { clusterDNSAddress } from "@seedbed/api";
import { versions } from "@seedbed/binaries";
import { addonImage } from "./images.ts";
import { addonLabels, addonMetadata, criticalAddonTolerations, linuxNodeSelector, nonRootPod, rbacAPIVersion, restrictedContainer } from "./manifest.ts";
import type { AddonContext, RenderedManifests } from "./types.ts";

/**
 * The ConfigMap in kube-system where a cluster's users customise its DNS:
 * every `*.server` key is a server block of its own (a stub domain, say)
 * and every `*.override` key is added inside the main one (a `hosts` block,
 * a `rewrite`). Seedbed never renders, applies or repairs it — it is the
 * users' — so what they put there survives every repair of the add-on; the
 * Deployment mounts it as optional, so it need not exist.
 */
export const coreDNSCustomConfigMap = "coredns-custom";

const addon = "coredns";
const namespace = "kube-system";
const name = "coredns";
/** The names kube-dns had and tools still select on. */
const selector = { "k8s-app": "kube-dns" };
/** An unprivileged port: CoreDNS needs no NET_BIND_SERVICE this way; the Service maps 53 to it. */
const dnsPort = 1053;
const metricsPort = 9153;
const healthPort = 8080;
const readyPort = 8181;
const configDir = "/etc/coredns";
const customDir = `${configDir}/custom`;
/** The distroless `nonroot` user of the CoreDNS images (upstream's and Seedbed's own). */
const nonRootUser = 65532;

/** The CoreDNS image: `registry.k8s.io/coredns/coredns:v<coredns>`, or the same path under the mirror (what Seedbed's own image build names it). */
export function coreDNSImage(registry?: string): string {
  return addonImage(`registry.k8s.io/coredns/coredns:v${versions.coredns}`, registry);
}

/**
 * The Corefile Kubernetes ships (kubeadm's), for `domain`: cluster names
 * answered from the API, everything else forwarded to the node's resolvers,
 * and cluster names not cached (the kubernetes plugin answers them from its
 * own informers; a cached answer would only outlive a Service's change).
 * The imports bring in the user's {@link coreDNSCustomConfigMap}: a glob
 * that matches nothing is no error, so an absent ConfigMap changes nothing.
 */
export function coreDNSCorefile(domain: string): string {
  return `.:${dnsPort} {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${domain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :${metricsPort}
    forward . /etc/resolv.conf {
        max_concurrent 1000
    }
    cache 30 {
        disable success ${domain}
        disable denial ${domain}
    }
    loop
    reload
    loadbalance
    import ${customDir}/*.override
}
import ${customDir}/*.server
`;
}

/** Who CoreDNS is and the least its kubernetes plugin reads: Services, their endpoints, Pods and Namespaces, list and watch only. */
function coreDNSIdentity(): KubernetesObject[] {
  const account: V1ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: addonMetadata(addon, name, { namespace }) };
  const role: V1ClusterRole = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRole",
    metadata: addonMetadata(addon, "system:coredns"),
    rules: [
      { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ],
  };
  const binding: V1ClusterRoleBinding = {
    apiVersion: rbacAPIVersion,
    kind: "ClusterRoleBinding",
    metadata: addonMetadata(addon, "system:coredns"),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
    subjects: [{ kind: "ServiceAccount", name, namespace }],
  };
  return [account, role, binding];
}

/** Two replicas on different nodes where there are several, non-root on port 1053, the Corefile and the user's additions mounted read-only. */
function coreDNSDeployment(ctx: AddonContext): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: addonMetadata(addon, name, { namespace, labels: selector }),
    spec: {
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: addonLabels(addon, selector) },
        spec: {
          serviceAccountName: name,
          priorityClassName: "system-cluster-critical",
          // Its own resolv.conf would point at itself: forward to the node's resolvers.
          dnsPolicy: "Default",
          nodeSelector: linuxNodeSelector(),
          tolerations: criticalAddonTolerations(),
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { ...selector } }, topologyKey: "kubernetes.io/hostname" } },
              ],
            },
          },
          securityContext: nonRootPod(nonRootUser),
          containers: [
            {
              name,
              image: coreDNSImage(ctx.imageRegistry),
              imagePullPolicy: "IfNotPresent",
              args: ["-conf", `${configDir}/Corefile`],
              ports: [
                { name: "dns", containerPort: dnsPort, protocol: "UDP" },
                { name: "dns-tcp", containerPort: dnsPort, protocol: "TCP" },
                { name: "metrics", containerPort: metricsPort, protocol: "TCP" },
              ],
              resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
              securityContext: restrictedContainer(),
              livenessProbe: { httpGet: { path: "/health", port: healthPort, scheme: "HTTP" }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              readinessProbe: { httpGet: { path: "/ready", port: readyPort, scheme: "HTTP" } },
              volumeMounts: [
                { name: "config-volume", mountPath: configDir, readOnly: true },
                { name: "custom-config-volume", mountPath: customDir, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "config-volume", configMap: { name, items: [{ key: "Corefile", path: "Corefile" }] } },
            // The user's: optional, so the pods start without it and pick it up (reload) once it is made.
            { name: "custom-config-volume", configMap: { name: coreDNSCustomConfigMap, optional: true } },
          ],
        },
      },
    },
  };
}

/** The kube-dns Service at the cluster DNS address every kubelet writes into pods' resolv.conf. */
function kubeDNSService(ctx: AddonContext): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: addonMetadata(addon, "kube-dns", {
      namespace,
      labels: { ...selector, "kubernetes.io/name": "CoreDNS" },
      annotations: { "prometheus.io/port": String(metricsPort), "prometheus.io/scrape": "true" },
    }),
    spec: {
      clusterIP: clusterDNSAddress(ctx.serviceCIDR),
      selector: { ...selector },
      ports: [
        { name: "dns", port: 53, targetPort: dnsPort, protocol: "UDP" },
        { name: "dns-tcp", port: 53, targetPort: dnsPort, protocol: "TCP" },
        { name: "metrics", port: metricsPort, targetPort: metricsPort, protocol: "TCP" },
      ],
    },
  };
}

/**
 * The tenant's cluster DNS: CoreDNS in kube-system as Kubernetes runs it,
 * non-root with a read-only root and no capabilities, answering for
 * `ctx.dnsDomain` at the tenth address of the service range (where the
 * kubelets Seedbed configures look for it).
 */
export function renderCoreDNS(ctx: AddonContext): RenderedManifests {
  const config: V1ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: addonMetadata(addon, name, { namespace }), data: { Corefile: coreDNSCorefile(ctx.dnsDomain) } };
  return {
    source: "BuiltIn",
    version: versions.coredns,
    objects: [...coreDNSIdentity(), config, coreDNSDeployment(ctx), kubeDNSService(ctx)],
  };
}
