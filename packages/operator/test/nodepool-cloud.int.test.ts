import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { apiVersion, type NodePool } from "@seedbed/api";
import { FakeEc2 } from "@seedbed/providers/testing";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsPoolSpec, awsTestSigner, startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-cloud";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

describe("a node pool on the aws provider, against a local EC2 that checks every request", () => {
  const api = useKubeAPI({ controllers: true });
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let ec2: FakeEc2;

  const live = (): { id: string; tags: Readonly<Record<string, string>>; userData: string }[] => [...ec2.instances.values()].filter((i) => i.state !== "terminated" && i.state !== "shutting-down");
  const readPool = async (): Promise<NodePool> => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name: "ec2" })) as NodePool;

  beforeAll(async () => {
    ec2 = await FakeEc2.start(awsTestSigner);
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    platform = await startLocalOperator(kc, namespace);
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "c", namespace }, spec: {} } });
  });
  afterAll(async () => {
    await platform.stop();
    await ec2.stop();
  });

  it("says what is missing while its credentials Secret does not exist", async () => {
    const spec = awsPoolSpec("c", 2);
    await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "ec2", namespace }, spec } });
    const waiting = await eventually(readPool, (p) => p.status?.conditions?.some((c) => c.reason === "ProviderNotConfigured") === true, { timeoutMs: 90_000, description: "ProviderNotConfigured" });
    expect(waiting.status?.conditions?.find((c) => c.type === "Ready")?.message).toMatch(/credentials Secret project-cloud\/aws-credentials does not exist; create it with key credentials/);
    expect(ec2.calls).toEqual([]);
  });

  it("launches tagged instances whose user data joins the cluster with a bootstrap token of the tenant", async () => {
    const credentials = JSON.stringify({ accessKeyId: awsTestSigner.accessKeyId, secretAccessKey: awsTestSigner.secretAccessKey, endpoint: ec2.endpoint });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: "aws-credentials" }, stringData: { credentials } } });
    // The pool looks for its credentials again every 30 s; any change of it brings it back at once.
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "ec2", body: { metadata: { annotations: { retry: "1" } } } }, mergePatch);
    const instances = await eventually(() => Promise.resolve(live()), (list) => list.length === 2, { timeoutMs: 30_000, description: "two instances" });
    expect(instances.map((i) => i.tags["seedbed.dev/node-pool"])).toEqual(["ec2", "ec2"]);
    expect(instances.map((i) => i.tags["seedbed.dev/cluster-id"])).toEqual(["cloud--c", "cloud--c"]);
    const userData = Buffer.from(instances[0]?.userData ?? "", "base64").toString("utf8");
    expect(userData).toMatch(/^#cloud-config/);
    const token = /token: ([a-z0-9]{6})\.([a-z0-9]{16})/.exec(userData);
    expect(token).not.toBeNull();
    const tenantConfig = await tenantKubeConfig(core, namespace, "c");
    const stored = await tenantConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: "kube-system", name: `bootstrap-token-${token?.[1] ?? ""}` });
    expect(Buffer.from(stored.data?.["token-secret"] ?? "", "base64").toString()).toBe(token?.[2]);
    // The instances never join (no kubelet runs): the pool has its machines but none is ready.
    const pool = await eventually(readPool, (p) => p.status?.replicas === 2);
    expect(pool.status?.readyReplicas).toBe(0);
    expect(pool.status?.machines?.every((m) => /^aws:\/\/\/eu-central-1[a-z]\/i-[0-9a-f]+$/.test(m.providerID ?? ""))).toBe(true);
  });

  it("terminates the instances when scaled to zero and when the pool is deleted, with no request the API would refuse", async () => {
    await objects.patchNamespacedCustomObject({ ...resource, plural: "nodepools", name: "ec2", body: { spec: { replicas: 1 } } }, mergePatch);
    await eventually(() => Promise.resolve(live()), (list) => list.length === 1, { timeoutMs: 30_000, description: "one instance left" });
    await objects.deleteNamespacedCustomObject({ ...resource, plural: "nodepools", name: "ec2" });
    // The pool goes once EC2 reports its instances terminated (the fake moves them on when told).
    await eventually(() => {
      ec2.settle();
      return readPool().then(() => false, () => true);
    }, (gone) => gone, { timeoutMs: 30_000, description: "pool gone" });
    expect(live()).toEqual([]);
    expect(ec2.violations).toEqual([]);
  });
});
