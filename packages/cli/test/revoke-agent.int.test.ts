import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { agentRevokedForAnnotation, apiVersion, installCRDs, policyAgentServiceAccount, revokeAgentAnnotation, type Cluster } from "@seedbed/api";
import { run, type RunResult } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";

const cli = new URL("../src/bin/seedbed.ts", import.meta.url).pathname;

/**
 * `seedbed cluster revoke-agent` against a real management API. No
 * operator runs: where the test needs one, it replaces the agent's
 * ServiceAccount as the policy-agent host does on a revoke (the operator's
 * own suite, packages/operator/test/policy-agent.int.test.ts, proves that
 * part and the refused token).
 */
describe("seedbed cluster revoke-agent", () => {
  const api = useKubeAPI();
  const namespace = "project-default";
  const coordinates = { group: "seedbed.dev", version: "v1alpha1", namespace, plural: "clusters" };
  const core = (): CoreV1Api => api().kubeConfig().makeApiClient(CoreV1Api);
  const objects = (): CustomObjectsApi => api().kubeConfig().makeApiClient(CustomObjectsApi);
  const seedbed = (args: string[]): Promise<RunResult> => run(process.execPath, [cli, ...args, "--kubeconfig", api().kubeconfigPath], process.env, { timeoutMs: 60_000 });
  const createAccount = async (cluster: string, revokedFor?: string): Promise<string> => {
    const created = await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name: policyAgentServiceAccount(cluster), ...(revokedFor === undefined ? {} : { annotations: { [agentRevokedForAnnotation]: revokedFor } }) } } });
    return created.metadata?.uid ?? "";
  };

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await core().createNamespace({ body: { metadata: { name: namespace } } });
    for (const name of ["web", "db", "slow"]) await objects().createNamespacedCustomObject({ ...coordinates, body: { apiVersion, kind: "Cluster", metadata: { name, namespace }, spec: {} } });
  });

  it("says that a cluster without a policy agent has no credentials to revoke, and asks for nothing", async () => {
    const result = await seedbed(["cluster", "revoke-agent", "db"]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("cluster db has no policy agent, so there are no agent credentials to revoke");
    const cluster = (await objects().getNamespacedCustomObject({ ...coordinates, name: "db" })) as Cluster;
    expect(cluster.metadata.annotations?.[revokeAgentAnnotation]).toBeUndefined();
  });

  it("asks for the revoke and waits until the agent's ServiceAccount was replaced", async () => {
    const oldUID = await createAccount("web");
    const command = seedbed(["cluster", "revoke-agent", "web", "--timeout", "30s"]);
    // The operator's part: once the Cluster asks, a new account made after the revoke.
    let value: string | undefined;
    for (let i = 0; i < 200 && value === undefined; i++) {
      await sleep(100);
      value = ((await objects().getNamespacedCustomObject({ ...coordinates, name: "web" })) as Cluster).metadata.annotations?.[revokeAgentAnnotation];
    }
    expect(value).toBeDefined();
    await core().deleteNamespacedServiceAccount({ namespace, name: policyAgentServiceAccount("web") });
    const newUID = await createAccount("web", value);
    const result = await command;
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toContain(`Revoking the policy agent credentials of cluster web (annotation ${revokeAgentAnnotation}=${value ?? ""})`);
    expect(result.stdout).toContain(`Revoked: ServiceAccount ${namespace}/${policyAgentServiceAccount("web")} was replaced (uid ${oldUID} → ${newUID})`);
  });

  it("gives up after --timeout when no operator carries the revoke out, saying it stays requested", async () => {
    await createAccount("slow");
    const result = await seedbed(["cluster", "revoke-agent", "slow", "--timeout", "2s"]);
    expect(result.status).toBe(7);
    expect(result.stderr).toContain("the operator did not replace the policy agent's ServiceAccount of cluster slow within 2s; the revoke stays requested");
  });
});
