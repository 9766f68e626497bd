import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { buildKubeconfig, issueCertificate, loadCertificateAuthority } from "@seedbed/pki";
import { apply, ObjectClient, SharedConnection } from "@seedbed/runtime";
import type { ClusterCA } from "./node-pki.ts";

/**
 * NetworkPolicy enforcement on a real node: SIG Network's
 * kube-network-policies (tools/k8s/netpol) as a process in the node's
 * network namespace. The CNI bridge plugin forwards whatever it is given;
 * this agent puts an nftables table in the namespace whose postrouting
 * chain hands the first packet of every connection to or from a pod that a
 * NetworkPolicy selects to an NFQUEUE, where it decides from the policies
 * it watches. Bridged pod-to-pod traffic passes those hooks because the
 * namespace has net.bridge.bridge-nf-call-iptables=1 (netns.ts).
 */

/** The user the agent's client certificate names; not a system: name, which Kubernetes keeps for itself. */
export const networkPolicyAgentUser = "seedbed:kube-network-policies";

/** The agent's /metrics and /healthz port, on the node's address (each node has its own namespace, so its own ports). */
export const networkPolicyAgentHealthPort = 9080;

const labels = { "app.kubernetes.io/managed-by": "seedbed", "app.kubernetes.io/name": "kube-network-policies" };

/**
 * The least the agent needs (upstream's install.yaml: list and watch pods,
 * namespaces and NetworkPolicies; plus writing its Events), bound to its
 * user. Every node applies the same objects: applying them again changes
 * nothing.
 */
export function networkPolicyAgentRBAC(): KubernetesObject[] {
  const name = networkPolicyAgentUser;
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: [
        { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list", "watch"] },
        { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
      ],
    } as KubernetesObject,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name }],
    } as KubernetesObject,
  ];
}

/** What the agent's command line says. */
export interface NetworkPolicyAgentArgsInput {
  readonly kubeconfig: string;
  /** The Node's name: the agent enforces policies for the pods bound to it. */
  readonly nodeName: string;
  /** The node's address in its namespace: /metrics and /healthz listen there. */
  readonly nodeAddress: string;
}

/**
 * The agent's flags (tools/k8s/netpol/main.go). Fail closed: when the agent
 * is not running, queued packets are dropped rather than let through.
 */
export function networkPolicyAgentArgs(input: NetworkPolicyAgentArgsInput): string[] {
  return [`--kubeconfig=${input.kubeconfig}`, `--hostname-override=${input.nodeName}`, `--metrics-bind-address=${input.nodeAddress}:${networkPolicyAgentHealthPort}`, "--fail-open=false", "--queue-verdict=auto", "--v=0"];
}

/** Where the agent's credentials go and which API they are for. */
export interface NetworkPolicyAgentAccessInput {
  readonly server: string;
  readonly ca: ClusterCA;
  readonly kubeconfigPath: string;
}

/**
 * Grants the agent its RBAC and writes its kubeconfig. The RBAC is applied
 * with a client certificate in system:masters signed by the cluster CA and
 * held only in memory for this call: whoever starts a node holds that CA
 * already (it signs the kubelet's certificates), and a node needs no
 * separate install step before its agent can read the policies.
 */
export async function grantNetworkPolicyAgent(input: NetworkPolicyAgentAccessInput): Promise<void> {
  const ca = await loadCertificateAuthority(input.ca.certificatePem, input.ca.privateKeyPem);
  const [admin, agent] = await Promise.all([
    issueCertificate(ca, { commonName: "seedbed:node-setup", organizations: ["system:masters"], usage: "client" }),
    issueCertificate(ca, { commonName: networkPolicyAgentUser, usage: "client" }),
  ]);
  const kubeconfig = (userName: string, cert: { certificatePem: string; privateKeyPem: string }): string =>
    buildKubeconfig({ clusterName: "seedbed", server: input.server, certificateAuthorityPem: input.ca.certificatePem, userName, clientCertificatePem: cert.certificatePem, clientKeyPem: cert.privateKeyPem });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig("seedbed:node-setup", admin));
  const connection = new SharedConnection();
  try {
    const client = ObjectClient.fromKubeConfig(kc, connection);
    for (const object of networkPolicyAgentRBAC()) await apply(client, object);
  } finally {
    await connection.close();
  }
  mkdirSync(dirname(input.kubeconfigPath), { recursive: true, mode: 0o700 });
  writeFileSync(input.kubeconfigPath, kubeconfig(networkPolicyAgentUser, agent), { mode: 0o600 });
}
