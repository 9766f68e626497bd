import { renderKwok } from "../render/kwok.ts";
import { kwokStages } from "../render/kwok-stages.ts";
import { seedLabels, seedNamespace, type Manifest } from "./names.ts";
import { checksumOf, seedKubeconfig } from "./secrets.ts";
import { containerSecurity, podSecurity, secretMode } from "./security.ts";

const mount = "/etc/kwok";

/**
 * The kwok controller of a cluster with kwok node pools: a Deployment in
 * the cluster's seed namespace, beside its control plane, with its
 * kubeconfig and stages in a Secret of its own. It reaches the tenant API
 * through the kube-apiserver Service, as the controllers do.
 */
export function renderKwokWorkload(clusterId: string, pki: ReadonlyMap<string, string>, image: string): Manifest[] {
  const ns = seedNamespace(clusterId);
  const labels = seedLabels(clusterId, "kwok");
  // kwok writes Node and Pod status across the whole cluster; the admin identity is what kwok documents (see the note in docs).
  const kubeconfig = seedKubeconfig(clusterId, pki, "kwok", "admin.crt", "admin.key");
  const data = { kubeconfig, "stages.yaml": kwokStages };
  const spec = renderKwok({ binary: "kwok", kubeconfigFile: `${mount}/kubeconfig`, serverPort: 10247, workDir: "/tmp", stagesFile: `${mount}/stages.yaml` });
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "kwok-config", namespace: ns, labels },
      type: "Opaque",
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "kwok", namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        strategy: { type: "Recreate" },
        template: {
          // kwok reads its kubeconfig only at start (a new client certificate, a new CA bundle): every change rolls it.
          metadata: { labels, annotations: { "seedbed.dev/config-checksum": checksumOf(data) } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            containers: [
              {
                name: "kwok",
                image,
                command: [spec.command],
                args: spec.args.map((a) => a.replace("--server-address=127.0.0.1:", "--server-address=0.0.0.0:")),
                env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
                readinessProbe: { httpGet: { path: "/healthz", port: 10247 }, periodSeconds: 10 },
                resources: { requests: { cpu: "50m", memory: "64Mi" } },
                securityContext: containerSecurity,
                volumeMounts: [{ name: "config", mountPath: mount, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "config", secret: { secretName: "kwok-config", defaultMode: secretMode } }, { name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
  ];
}
