/** Condition types a Cluster reports, each with the reasons it may carry. */
export const ClusterConditions = {
  /** Every other condition holds: the cluster's API serves and its control plane is complete. */
  Ready: "Ready",
  /** The cluster's CAs, certificates and kubeconfigs exist and are valid for a while yet. */
  CertificatesReady: "CertificatesReady",
  /** etcd answers and has a quorum. */
  EtcdReady: "EtcdReady",
  /** kube-apiserver answers /readyz. */
  APIServerReady: "APIServerReady",
  /** kube-controller-manager and kube-scheduler run. */
  ControlPlaneReady: "ControlPlaneReady",
  /** The spec can be carried out (a terminal problem with it shows here, with a message). */
  SpecValid: "SpecValid",
} as const;

/** Reasons on Cluster conditions. */
export const ClusterReasons = {
  /** The thing the condition is about works. */
  Ready: "Ready",
  /** Being created or started; no action needed. */
  Provisioning: "Provisioning",
  /** Waiting for something else to become ready first. */
  WaitingForDependency: "WaitingForDependency",
  /** A component exited and is being restarted. */
  Restarting: "Restarting",
  /** The spec names a template, seed or version that does not exist or cannot work; fix the spec. */
  InvalidSpec: "InvalidSpec",
  /** The cluster is being deleted. */
  Deleting: "Deleting",
} as const;
