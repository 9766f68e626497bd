import { kubeletClientName } from "@seedbed/pki";
import { seedbedBootstrapGroup } from "@seedbed/providers";

type Manifest = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

/** The built-in ClusterRoles kubeadm binds for joining nodes, and the one that lets the API server use kubelets. */
export const joinRoles = {
  /** Create and read CSRs: what a bootstrap token needs to ask for a kubelet client certificate. */
  nodeBootstrapper: "system:node-bootstrapper",
  /** kube-controller-manager's approver approves a new node client certificate for whoever may create this subresource. */
  nodeClient: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
  /** The same for a node renewing its own client certificate. */
  selfNodeClient: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
  /** Everything of the kubelet API: logs, exec, attach, port-forward, metrics. */
  kubeletAPIAdmin: "system:kubelet-api-admin",
  /** What kube-proxy reads: Services, EndpointSlices, Nodes. */
  nodeProxier: "system:node-proxier",
} as const;

const binding = (name: string, role: string, subject: { kind: "Group" | "User"; name: string }): Manifest => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name, labels: { "app.kubernetes.io/managed-by": "seedbed" } },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }],
});

/**
 * What a tenant needs for real machines to join and be used, as kubeadm
 * sets it up: the group of Seedbed's bootstrap tokens (never all of
 * system:bootstrappers, which other tokens share) may ask for a node client
 * certificate and have it approved automatically; nodes renew their own;
 * and the API server's kubelet client certificate may use the kubelet API.
 * Machines run kube-proxy with their kubelet's identity (Seedbed's user
 * data) until an add-on runs it as a DaemonSet with an identity of its own,
 * so nodes may also read what kube-proxy reads. Serving certificates are not approved here: see tenantcsr/. Pure.
 */
export function renderJoinRBAC(): Manifest[] {
  const bootstrappers = { kind: "Group", name: seedbedBootstrapGroup } as const;
  return [
    binding("seedbed:kubelet-bootstrap", joinRoles.nodeBootstrapper, bootstrappers),
    binding("seedbed:node-autoapprove-bootstrap", joinRoles.nodeClient, bootstrappers),
    binding("seedbed:node-autoapprove-certificate-rotation", joinRoles.selfNodeClient, { kind: "Group", name: "system:nodes" }),
    binding("seedbed:kube-apiserver-kubelet-client", joinRoles.kubeletAPIAdmin, { kind: "User", name: kubeletClientName }),
    binding("seedbed:node-proxier", joinRoles.nodeProxier, { kind: "Group", name: "system:nodes" }),
  ];
}
