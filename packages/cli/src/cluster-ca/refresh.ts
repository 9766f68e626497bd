import type { Cluster } from "@seedbed/api";
import type { CACheckOptions, CACheckOutcome } from "./check.ts";
import { readCA, writeFileAtomically, type CAFileState } from "./files.ts";
import { managementRequester, readManagementSession, type ManagementRequester } from "./management.ts";
import { caReadTimeoutMs, planCARefresh, sameServer } from "./plan.ts";

/**
 * Reads the Cluster as the user (the management API of their login, their
 * token) within the timeout and rewrites the CA file when the cluster's
 * CA bundle differs from it; then records the refresh in the cluster's
 * kubeconfig ledger as the holder's token kubeconfig, so that a CA
 * rotation stops counting it as outstanding. client-go reads the CA file
 * when it builds its transport, before it runs this plugin: the file
 * written here serves the next kubectl run, not the one running now.
 */
export async function refreshClusterCA(options: CACheckOptions & { readonly state: CAFileState; readonly now: Date }): Promise<CACheckOutcome> {
  const session = readManagementSession(options.env);
  if (session === undefined) return "no-session";
  // A login to another platform must not write its cluster's CA into this one's file.
  if (!sameServer(session.server, options.state.server)) return "other-platform";
  const { project, cluster: name, caFile } = options.target;
  const timeoutMs = options.timeoutMs ?? caReadTimeoutMs;
  const reader = managementRequester(session, options.token, AbortSignal.timeout(timeoutMs));
  const cluster = await reader.request<Cluster>("GET", `/apis/seedbed.dev/v1alpha1/namespaces/project-${project}/clusters/${name}`);
  const plan = planCARefresh(readCA(caFile), cluster.status?.certificateAuthority);
  if (plan.action === "keep") return "unchanged";
  writeFileAtomically(caFile, plan.pem);
  await recordRefresh(managementRequester(session, options.token, AbortSignal.timeout(timeoutMs)), cluster, plan.pem, options.now).catch(() => undefined);
  return "refreshed";
}

/** The user's token kubeconfig now trusts `pem`: their ledger record says so (best effort, as every ledger write). */
async function recordRefresh(requester: ManagementRequester, cluster: Cluster, pem: string, now: Date): Promise<void> {
  // Loaded only on a change (once per rotation): @seedbed/api brings the Kubernetes client.
  const { recordKubeconfig, requestLedgerClient, withCertificateAuthority } = await import("@seedbed/api");
  const review = await requester.request<{ status?: { userInfo?: { username?: string } } }>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  const holder = review.status?.userInfo?.username ?? "";
  if (holder === "") return;
  // The ledger reads the CAs from certificate-authority-data: a one-cluster kubeconfig that carries them.
  const kubeconfig = withCertificateAuthority("clusters:\n  - name: cluster\n    cluster: {}\n", pem);
  await recordKubeconfig(requestLedgerClient(requester), { cluster, holder, kind: "token", kubeconfig, via: "cli", now });
}
