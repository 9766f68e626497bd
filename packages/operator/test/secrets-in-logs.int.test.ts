// Secrets never reach the operator's logs: every line it writes at the most
// verbose level while it builds a cluster's PKI, kubeconfigs and a node
// pool's bootstrap tokens is searched for each of those secrets.
import { Writable } from "node:stream";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { apiVersion, clusterObjectNames, type NodePool } from "@seedbed/api";
import { createLogger } from "@seedbed/runtime";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOperator, tenantKubeConfig, type LocalOperator } from "./local-platform.ts";

const namespace = "project-vault";
const resource = { group: "seedbed.dev", version: "v1alpha1", namespace };

/** The secret material in a Secret's data: every value, and every line of a PEM private key's body. */
function secretsIn(data: Record<string, string> | undefined): string[] {
  const found: string[] = [];
  for (const encoded of Object.values(data ?? {})) {
    const value = Buffer.from(encoded, "base64").toString("utf8");
    if (value.includes("PRIVATE KEY")) found.push(...value.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----")));
    else if (!value.includes("CERTIFICATE") && value.length >= 6) found.push(value);
    found.push(encoded);
  }
  return found;
}

describe("the operator's logs", () => {
  const api = useKubeAPI({ controllers: true });
  const lines: string[] = [];
  let platform: LocalOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    objects = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done): void => {
        lines.push(chunk.toString("utf8"));
        done();
      },
    });
    // The operator's own logger (with its redaction), at its most verbose.
    platform = await startLocalOperator(kc, namespace, { logger: createLogger({ level: "trace", destination: sink }) });
  });
  afterAll(async () => {
    await platform.stop();
  });

  it("hold no private key, kubeconfig credential or bootstrap token of the clusters it built", async () => {
    await objects.createNamespacedCustomObject({ ...resource, plural: "clusters", body: { apiVersion, kind: "Cluster", metadata: { name: "v", namespace }, spec: {} } });
    await objects.createNamespacedCustomObject({ ...resource, plural: "nodepools", body: { apiVersion, kind: "NodePool", metadata: { name: "workers", namespace }, spec: { clusterName: "v", replicas: 2 } } });
    await eventually(async () => (await objects.getNamespacedCustomObject({ ...resource, plural: "nodepools", name: "workers" })) as NodePool, (p) => p.status?.readyReplicas === 2, { timeoutMs: 120_000, description: "2 ready machines" });

    const secrets = [
      ...secretsIn((await core.readNamespacedSecret({ namespace, name: clusterObjectNames.pkiSecret("v") })).data),
      ...secretsIn((await core.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret("v") })).data),
    ];
    const tenant = (await tenantKubeConfig(core, namespace, "v")).makeApiClient(CoreV1Api);
    const tokens = (await tenant.listNamespacedSecret({ namespace: "kube-system", fieldSelector: "type=bootstrap.kubernetes.io/token" })).items;
    expect(tokens.length, "the pool made bootstrap tokens").toBeGreaterThan(0);
    for (const token of tokens) secrets.push(...secretsIn({ "token-secret": token.data?.["token-secret"] ?? "" }));
    expect(secrets.length).toBeGreaterThan(10);

    const log = lines.join("");
    // The log is there to search: it speaks of this cluster and its pool.
    expect(log).toMatch(/"object":"project-vault\/v"/);
    expect(log).toMatch(/"object":"project-vault\/workers"/);
    for (const secret of secrets) expect(log.includes(secret), `a secret of ${secret.length} characters appears in the log`).toBe(false);
  });
});
