import type { Cluster } from "./cluster.ts";

/** Condition types a Cluster reports, each with the reasons it may carry. */
export const ClusterConditions = {
  /**
   * Every condition below but SpecSupported holds: the cluster's API serves,
   * its control plane is complete and the last reconcile pass succeeded (a
   * pass failing for longer than a short grace shows here as False).
   */
  Ready: "Ready",
  /**
   * The cluster's API answers requests, though it may be Degraded or
   * Upgrading: what node pools, tenant RBAC and anything else working
   * inside the cluster wait for (see isClusterServing).
   */
  Available: "Available",
  /** The cluster's CAs, certificates and kubeconfigs exist and are valid for a while yet. */
  CertificatesReady: "CertificatesReady",
  /** etcd answers and has a quorum. */
  EtcdReady: "EtcdReady",
  /** kube-apiserver answers /readyz on every replica, all of them updated. */
  APIServerReady: "APIServerReady",
  /** kube-controller-manager and kube-scheduler run. */
  ControlPlaneReady: "ControlPlaneReady",
  /** The spec can be carried out (a terminal problem with it shows here, with a message). */
  SpecValid: "SpecValid",
  /**
   * Every field of the effective spec is honoured by the seed and driver
   * the cluster runs on. False (reason NotSupported) names each field that
   * is accepted but not carried out, the seed and driver, and what to do;
   * the cluster runs without it, so this condition does not affect Ready.
   */
  SpecSupported: "SpecSupported",
  /**
   * With a backup schedule (spec.backup): the newest scheduled snapshot
   * completed (True), or it failed or keeps failing (False, BackupFailing,
   * with the reason and the last good snapshot), or a run is overdue with
   * no snapshot for it (False, BackupOverdue). Informational: it does not
   * affect Ready.
   */
  BackupsHealthy: "BackupsHealthy",
  /**
   * With a backup schedule: the newest restore drill passed (True: the
   * snapshot restored into a scratch etcd and read back; the message has
   * when) or failed (False, why). Unknown until the first drill.
   * Informational: it does not affect Ready.
   */
  BackupVerified: "BackupVerified",
  /**
   * Present once the cluster has been upgraded: False (Upgrading,
   * RollingBack) with the step under way while an upgrade or its rollback
   * runs, False (UpgradeFailed) when it stopped past its deadline, True
   * (Upgraded, RolledBack) when it finished. status.upgrade has the detail.
   */
  Upgrade: "Upgrade",
  /**
   * Present for a cluster on a Shared datastore: True while its keys hold
   * less than spec.controlPlane.datastore.storage; False (LimitReached) once
   * they reach it: its API then refuses to create objects (deletes and
   * updates still work) until usage falls below 90 % of the limit.
   * Informational: it does not affect Ready.
   */
  DatastoreWithinLimit: "DatastoreWithinLimit",
  /**
   * Present while the cluster has add-ons (spec.addons, its template's and
   * the platform's defaults, spec.network.cni), written by the add-on
   * controller: True once every one is installed at its version and ready;
   * False (AddonsNotReady, AddonFailed) naming each that is not and why.
   * status.addons has the detail. Informational: it does not affect Ready.
   */
  AddonsReady: "AddonsReady",
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
  /** Ready=False while deleting: its node pools are removing their machines; the control plane goes after them. */
  WaitingForNodePools: "WaitingForNodePools",
  /** Ready=False while deleting: the Seed recorded in status.seed no longer exists, so nothing is deleted; the message says what to do. */
  SeedGone: "SeedGone",
  /** SpecSupported=True: every field is honoured. */
  Supported: "Supported",
  /** SpecSupported=False: fields are accepted but not carried out on this seed; the message names them. */
  NotSupported: "NotSupported",
  /** The seed the cluster goes to hosts as many clusters as its spec.capacity.maxClusters allows; the cluster waits (phase Pending). */
  SeedFull: "SeedFull",
  /** The Seed the cluster names is being deleted: no new cluster is placed there; the cluster waits (phase Pending). */
  SeedDeleting: "SeedDeleting",
  /** Ready=False: the seed cannot be reached (connection refused, timed out, DNS); retried with backoff. */
  SeedUnreachable: "SeedUnreachable",
  /** Ready=False: the seed's API refused what the driver applied (forbidden, invalid); retrying alone will not fix it. */
  SeedRefused: "SeedRefused",
  /** Ready=False: the cluster's PKI Secret could not be read or written in the management cluster. */
  CertificatesFailed: "CertificatesFailed",
  /** Ready=False: the admin kubeconfig Secret could not be written. */
  KubeconfigFailed: "KubeconfigFailed",
  /** Ready=False: a reconcile pass failed for another reason; the message has the error. */
  ReconcileFailed: "ReconcileFailed",
  /** The phase is Upgrading: the control plane rolls from status.version to the spec's version. */
  Upgrading: "Upgrading",
  /** Upgrade=True: the control plane and the node pools run the new version. */
  Upgraded: "Upgraded",
  /** Upgrade=False: the upgrade stopped past its deadline (spec.upgrade.deadline); the message says where and why. */
  UpgradeFailed: "UpgradeFailed",
  /** Upgrade=False, phase Upgrading: spec.version was set back to the version of the last upgrade's start; the cluster returns to it. */
  RollingBack: "RollingBack",
  /** Upgrade=True: the last upgrade was rolled back, data from its pre-upgrade snapshot. */
  RolledBack: "RolledBack",
  /** The phase is Restoring: an EtcdRestore puts etcd back to a snapshot; the control plane is stopped meanwhile. */
  Restoring: "Restoring",
  /**
   * EtcdReady=False: too many etcd members lost their data for the rest to
   * form a quorum. The operator restores the newest completed backup (an
   * EtcdRestore it creates); the message names it and the writes lost.
   */
  QuorumLost: "QuorumLost",
  /** DatastoreWithinLimit=False: the cluster's keys in the shared etcd reached spec.controlPlane.datastore.storage; creates are refused. */
  LimitReached: "LimitReached",
  /** AddonsReady=True: every add-on is installed at its version and ready. */
  AddonsInstalled: "AddonsInstalled",
  /** AddonsReady=False: add-ons are installed or being installed but not all are ready yet (workloads not available); the message names them. */
  AddonsNotReady: "AddonsNotReady",
  /** AddonsReady=False: an add-on could not be installed, upgraded or removed (a chart helm refused, a tenant that refused an object); retried with backoff; the message has the error. */
  AddonFailed: "AddonFailed",
} as const;

/**
 * Whether a cluster's API serves, so that controllers may work inside it
 * (node pools, tenant RBAC). One condition, not a list of phases: a phase
 * added later (Upgrading, say) cannot silently switch these gates off.
 * Clusters last written by a Seedbed without the Available condition fall
 * back to APIServerReady.
 */
export function isClusterServing(cluster: Pick<Cluster, "metadata" | "status">): boolean {
  if (cluster.metadata.deletionTimestamp !== undefined) return false;
  const conditions = cluster.status?.conditions ?? [];
  const available = conditions.find((c) => c.type === ClusterConditions.Available) ?? conditions.find((c) => c.type === ClusterConditions.APIServerReady);
  return available?.status === "True";
}
