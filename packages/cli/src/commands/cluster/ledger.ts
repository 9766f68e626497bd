import { ApiException, AuthenticationV1Api, PatchStrategy, setHeaderOptions, type CoreV1Api, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { readKubeconfigLedger, type Cluster, type KubeconfigRecord, type LedgerClient } from "@seedbed/api";
import type { CommandContext } from "../../context.ts";
import { explain } from "../../errors.ts";

/** The kubeconfig ledger (packages/api/src/ledger) over the CLI's CoreV1Api, acting as the user. */
export function cliLedgerClient(core: CoreV1Api): LedgerClient {
  return {
    read: async (namespace, name) => {
      try {
        return await core.readNamespacedConfigMap({ namespace, name });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    create: async (configMap) => {
      await core.createNamespacedConfigMap({ namespace: configMap.metadata?.namespace ?? "", body: configMap as V1ConfigMap });
    },
    patch: async (namespace, name, mergePatch) => {
      await core.patchNamespacedConfigMap({ namespace, name, body: mergePatch }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    },
  };
}

/** The user name the management API authenticates this CLI's credentials as (a SelfSubjectReview): the ledger's holder. */
export async function currentUserName(kubeConfig: KubeConfig): Promise<string> {
  const review = await kubeConfig.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
  return review.status?.userInfo?.username ?? "";
}

/** A cluster's ledger, newest first; an error says what to do (a 403: the role lacks the ledger's right). */
export async function readLedger(ctx: CommandContext, cluster: Cluster): Promise<KubeconfigRecord[]> {
  return readKubeconfigLedger(cliLedgerClient(ctx.core), cluster).catch((error: unknown) => {
    throw explain(error, { kind: "kubeconfig ledger of cluster", name: cluster.metadata.name, project: ctx.project, server: ctx.server });
  });
}
