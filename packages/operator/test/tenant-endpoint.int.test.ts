import { CoreV1Api, DiscoveryV1Api, type V1Secret } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, kubeconfigSecretKey, type Cluster } from "@seedbed/api";
import { createLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { TenantEndpointReconciler } from "../src/reconcilers/tenantendpoint/reconciler.ts";

const namespace = "project-web";

/** A Cluster as its status says after a pass on a seed: serving at `endpoint`. */
function servingCluster(name: string, endpoint: string): Cluster {
  const condition = { type: "Available", status: "True", reason: "Serving", message: "", lastTransitionTime: new Date().toISOString() };
  return { apiVersion, kind: "Cluster", metadata: { name, namespace, uid: `uid-${name}` }, spec: {}, status: { phase: "Running", endpoint, conditions: [condition] } } as unknown as Cluster;
}

describe("the tenant's kubernetes Service, pointed at the published endpoint", () => {
  // A real kube-apiserver as the tenant: rendered as on every driver, with --endpoint-reconciler-type=none, so nothing else writes its endpoints.
  const tenant = useKubeAPI();
  const clusters = new Map<string, Cluster>();
  let secret: V1Secret;
  let reconciler: TenantEndpointReconciler;
  const resolved = new Map<string, string[]>();
  const context = { log: createLogger({ level: "silent" }), reconcileId: "test" };
  const reconcile = async (name: string): Promise<unknown> => reconciler.reconcile({ namespace, name }, context);

  beforeAll(() => {
    secret = { metadata: { name: "admin" }, data: { [kubeconfigSecretKey]: Buffer.from(tenant().kubeconfig, "utf8").toString("base64") } };
    reconciler = new TenantEndpointReconciler({
      cache: { cluster: (ns, name) => clusters.get(`${ns}/${name}`), secret: (_ns, name) => (name === clusterObjectNames.adminKubeconfigSecret("web") ? secret : undefined) },
      resolve: async (host) => Promise.resolve(resolved.get(host) ?? []),
    });
  });

  const read = async (): Promise<{ slice: { addresses: string[]; ports: (number | undefined)[]; service?: string }; endpoints: { addresses: string[]; ports: (number | undefined)[] } }> => {
    const kc = tenant().kubeConfig();
    const slice = await kc.makeApiClient(DiscoveryV1Api).readNamespacedEndpointSlice({ namespace: "default", name: "kubernetes" });
    const endpoints = await kc.makeApiClient(CoreV1Api).readNamespacedEndpoints({ namespace: "default", name: "kubernetes" });
    return {
      slice: { addresses: (slice.endpoints ?? []).flatMap((e) => e.addresses), ports: (slice.ports ?? []).map((p) => p.port), service: slice.metadata?.labels?.["kubernetes.io/service-name"] },
      endpoints: { addresses: (endpoints.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)), ports: (endpoints.subsets ?? []).flatMap((s) => (s.ports ?? []).map((p) => p.port)) },
    };
  };

  it("names the published node address and NodePort, whose port name matches the Service's", async () => {
    clusters.set(`${namespace}/web`, servingCluster("web", "https://192.0.2.10:31443"));
    await reconcile("web");
    expect(await read()).toEqual({ slice: { addresses: ["192.0.2.10"], ports: [31443], service: "kubernetes" }, endpoints: { addresses: ["192.0.2.10"], ports: [31443] } });
    // kube-proxy joins slice and Service by port name: the Service the API server made must call its port https too.
    const service = await tenant().kubeConfig().makeApiClient(CoreV1Api).readNamespacedService({ namespace: "default", name: "kubernetes" });
    expect(service.spec?.ports?.map((p) => p.name)).toEqual(["https"]);
  });

  it("follows the endpoint when it moves, to a load balancer known by name (resolved to its addresses)", async () => {
    resolved.set("api.elb.example.com", ["203.0.113.8", "203.0.113.7"]);
    clusters.set(`${namespace}/web`, servingCluster("web", "https://api.elb.example.com:6443"));
    const result = await reconcile("web");
    expect(await read()).toEqual({ slice: { addresses: ["203.0.113.7", "203.0.113.8"], ports: [6443], service: "kubernetes" }, endpoints: { addresses: ["203.0.113.7", "203.0.113.8"], ports: [6443] } });
    // A name's addresses change without the Cluster changing: looked at again later.
    expect(result).toEqual({ requeueAfter: expect.any(Number) as number });
  });

  it("writes nothing for a loopback endpoint (a local cluster), nor for a cluster that does not serve yet", async () => {
    const before = await read();
    clusters.set(`${namespace}/web`, servingCluster("web", "https://127.0.0.1:40123"));
    await reconcile("web");
    clusters.set(`${namespace}/web`, { ...servingCluster("web", "https://192.0.2.99:31000"), status: { phase: "Provisioning", endpoint: "https://192.0.2.99:31000", conditions: [] } } as unknown as Cluster);
    await reconcile("web");
    expect(await read()).toEqual(before);
  });
});
