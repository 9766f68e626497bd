// A cloud pool's finalizer needs its credentials to terminate its machines.
// Deleting a Project deletes its namespace, and the namespace controller
// deletes every Secret in it at once, pools' included: without this the
// pools would be left holding machines they can no longer delete. As the
// kubernetes.io/pvc-protection finalizer does for volumes in use, a
// finalizer keeps the Secret until no NodePool refers to it.
import type { V1Secret } from "@kubernetes/client-node";
import type { NodePool } from "@seedbed/api";
import { describeError, hasFinalizer, type ObjectClient } from "@seedbed/runtime";

/** The finalizer that keeps a machine credentials Secret while a NodePool refers to it. */
export const credentialsFinalizer = "seedbed.dev/machine-credentials";

/** The label on protected Secrets: the operator watches only those (it caches no other Secret it did not write). */
export const credentialsLabel = "seedbed.dev/machine-credentials";

/** The Secret a pool's provider reads its credentials from (kwok needs none). */
export function credentialsOf(pool: NodePool): { namespace: string; name: string } | undefined {
  const provider = pool.spec.provider;
  if (provider.type === "kwok" || provider.credentialsSecretRef === undefined) return undefined;
  return { namespace: provider.credentialsSecretRef.namespace ?? pool.metadata.namespace ?? "", name: provider.credentialsSecretRef.name };
}

/** Whether any of `pools` (deleting ones included: their finalizers still need it) refers to the Secret. Pure. */
export function isInUse(pools: readonly NodePool[], namespace: string, name: string): boolean {
  return pools.some((pool) => {
    const ref = credentialsOf(pool);
    return ref?.namespace === namespace && ref.name === name;
  });
}

/**
 * Adds the finalizer (and the label) to a pool's credentials Secret unless
 * it has it. A Secret already being deleted cannot take new finalizers
 * (the API refuses them), and nothing is done then. The patch carries the
 * resourceVersion, so a concurrent change of the finalizers is a conflict,
 * retried, never a lost finalizer.
 */
export async function protectCredentials(client: ObjectClient, secret: V1Secret): Promise<void> {
  if (hasFinalizer(secret, credentialsFinalizer) || secret.metadata?.deletionTimestamp !== undefined) return;
  const { namespace = "", name = "", resourceVersion } = secret.metadata ?? {};
  await client
    .request("PATCH", `/api/v1/namespaces/${namespace}/secrets/${name}`, {
      body: { metadata: { finalizers: [...(secret.metadata?.finalizers ?? []), credentialsFinalizer], labels: { [credentialsLabel]: "true" }, resourceVersion } },
      contentType: "application/merge-patch+json",
    })
    .catch((error: unknown) => {
      throw new Error(`credentials Secret ${namespace}/${name} cannot be protected with finalizer ${credentialsFinalizer} (so that deleting it or its namespace cannot strand the pool's machines): ${describeError(error)}`, { cause: error });
    });
}

/** Removes the finalizer and the label (the Secret is no longer used by any pool). */
export async function releaseCredentials(client: ObjectClient, secret: V1Secret): Promise<void> {
  const { namespace = "", name = "", resourceVersion } = secret.metadata ?? {};
  await client.request("PATCH", `/api/v1/namespaces/${namespace}/secrets/${name}`, {
    body: { metadata: { finalizers: (secret.metadata?.finalizers ?? []).filter((f) => f !== credentialsFinalizer), labels: { [credentialsLabel]: null }, resourceVersion } },
    contentType: "application/merge-patch+json",
  });
}
