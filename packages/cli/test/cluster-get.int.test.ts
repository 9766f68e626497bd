import { PassThrough } from "node:stream";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Cluster, type ControlPlaneStatus } from "@seedbed/api";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { getCluster } from "../src/commands/cluster/get.ts";

const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace: "project-default", plural: "clusters" };

/**
 * `seedbed cluster get` against a real management API with the CRDs. No
 * operator runs: the test writes status.controlPlane through the status
 * subresource as the Cluster reconciler does, so the CRD's schema checks
 * the shape the command prints.
 */
describe("seedbed cluster get shows the control plane's replicas and etcd members", () => {
  const api = useKubeAPI();
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  /** What getCluster prints with `output`. */
  const get = async (name: string, output?: string): Promise<string> => {
    const out = new PassThrough();
    let printed = "";
    out.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    await getCluster(name, { kubeconfig: api().kubeconfigPath, ...(output === undefined ? {} : { output }) }, out);
    return printed;
  };
  const controlPlane: ControlPlaneStatus = {
    apiServers: "3/3",
    etcd: "3/3",
    builtMembers: 3,
    members: [
      { name: "default", id: "8e9e05c52164694d", role: "Follower", healthy: true, dbSizeBytes: 3_145_728 },
      { name: "m1", id: "91bc3c398fb3c146", role: "Leader", healthy: true, dbSizeBytes: 3_145_728 },
      { name: "m2", id: "fd422379fda50e48", role: "Follower", healthy: true, dbSizeBytes: 3_100_000 },
      { name: "m3", id: "2a6f3e4b1c0d9e87", role: "Learner", healthy: true, dbSizeBytes: 20_480 },
    ],
    membership: "learner m3 is catching up with the leader; promoted once it has",
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: coordinates.namespace } } });
    await objects().createNamespacedCustomObject({ ...coordinates, body: { apiVersion, kind: "Cluster", metadata: { name: "ha" }, spec: { controlPlane: { replicas: 3 } } } });
    await objects().patchNamespacedCustomObjectStatus({ ...coordinates, name: "ha", body: [{ op: "add", path: "/status", value: { phase: "Running", controlPlane } }] });
    await objects().createNamespacedCustomObject({ ...coordinates, body: { apiVersion, kind: "Cluster", metadata: { name: "new" }, spec: {} } });
  });

  it("prints API servers ready, etcd healthy with its leader, the change under way and each member", async () => {
    const printed = await get("ha");
    expect(printed).toContain([
      "Control plane:",
      "  API servers: 3/3 ready",
      "  etcd:        3/3 healthy, leader m1",
      "  Membership:  learner m3 is catching up with the leader; promoted once it has",
      "  NAME      ROLE       HEALTHY   DB SIZE   MESSAGE",
      "  default   Follower   yes       3.0 MiB",
      "  m1        Leader     yes       3.0 MiB",
      "  m2        Follower   yes       3.0 MiB",
      "  m3        Learner    yes       20 KiB",
      "Conditions:",
    ].join("\n"));
  });

  it("leaves the section out for a cluster the platform has not reported on", async () => {
    const printed = await get("new");
    expect(printed).toMatch(/^Age: .*\nConditions:\n/m);
    expect(printed).not.toContain("Control plane:");
  });

  it("carries status.controlPlane as stored in -o json and -o yaml", async () => {
    const json = JSON.parse(await get("ha", "json")) as Cluster;
    expect(json.status?.controlPlane).toEqual(controlPlane);
    expect(await get("ha", "yaml")).toMatch(/^ {2}controlPlane:\n {4}apiServers: 3\/3\n/m);
  });
});
