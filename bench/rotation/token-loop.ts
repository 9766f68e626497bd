// What a workload's client does while its cluster's certificates change:
// GETs with a bearer token, each on a new TCP connection, trusting the CA
// bundle the platform shows at that moment (status.certificateAuthority),
// with a token it requests afresh every few seconds (as the kubelet
// refreshes a projected token, here scaled down to the benchmark's short
// token lifetime).
import { repeat, type LoopFailure, type Stoppable } from "@seedbed/testing";
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { clusterObjectNames, kubeconfigSecretKey } from "@seedbed/api";

/** What the token source did. */
export interface TokenSourceResult {
  readonly refreshes: number;
  readonly failures: readonly LoopFailure[];
}

/** The admin kubeconfig the operator keeps in the cluster's Secret, read now (it changes during a rotation). */
export async function adminKubeConfig(management: CoreV1Api, namespace: string, cluster: string): Promise<KubeConfig> {
  const secret = await management.readNamespacedSecret({ namespace, name: clusterObjectNames.adminKubeconfigSecret(cluster) });
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(secret.data?.[kubeconfigSecretKey] ?? "", "base64").toString("utf8"));
  return kc;
}

/**
 * A ServiceAccount of the tenant bound to cluster-admin, and a token for
 * it requested every `refreshMs` through the platform's admin kubeconfig
 * (read afresh each time); `current()` is the newest token. Resolves once
 * the first token is there.
 */
export async function tokenSource(management: CoreV1Api, namespace: string, cluster: string, refreshMs: number): Promise<Stoppable<TokenSourceResult> & { current(): string }> {
  const account = "bench-loop";
  const first = await adminKubeConfig(management, namespace, cluster);
  // Made by the first source of a cluster; later ones find them.
  const exists = (error: unknown): void => {
    if ((error as { code?: number }).code !== 409) throw error;
  };
  await first.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: account } } }).catch(exists);
  await first.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: { metadata: { name: account }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: account, namespace: "default" }] },
  }).catch(exists);
  // The shortest lifetime kube-apiserver grants (10 min); it is refreshed long before.
  const issue = async (kc: KubeConfig): Promise<string> => {
    const issued = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ namespace: "default", name: account, body: { spec: { expirationSeconds: 600, audiences: [] } } });
    return issued.status?.token ?? "";
  };
  let token = await issue(first);
  let refreshes = 0;
  const failures: LoopFailure[] = [];
  let started = false;
  const { state, done } = repeat(async () => {
    // The first pass only waits: the token above is fresh.
    if (!started) {
      started = true;
      return;
    }
    try {
      token = await issue(await adminKubeConfig(management, namespace, cluster));
      refreshes++;
    } catch (error) {
      failures.push({ at: Date.now(), why: errorMessage(error) });
    }
  }, refreshMs);
  return {
    current: () => token,
    async stop() {
      state.running = false;
      await done;
      return { refreshes, failures };
    },
  };
}

/** An error's message with its causes ("fetch failed" says nothing without them). */
function errorMessage(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.length === 0 ? String(error) : parts.join(": ");
}
