import type { TenantExport } from "./etcd/shared/index.ts";

/** What one cluster's control plane should be: the driver-neutral input of every hosting driver. */
export interface ControlPlanePlan {
  /** Unique among the driver's clusters and safe as a file or namespace name. */
  readonly clusterId: string;
  /** The Kubernetes version to run (one of tools/k8s/versions.json). */
  readonly version: string;
  /**
   * Versions per component while an upgrade rolls (the version-skew order:
   * kube-apiserver first, then the controllers); each defaults to version.
   */
  readonly componentVersions?: ComponentVersions;
  readonly network: { readonly serviceCIDR: string; readonly podCIDR: string; readonly dnsDomain: string };
  /** The cluster's PKI, file name → PEM (see pkiFileNames). */
  readonly pki: ReadonlyMap<string, string>;
  /** Names the PKI's content (its Secret's uid and resourceVersion), when known: the same while the PKI is. */
  readonly pkiVersion?: string;
  /** Size of the control plane (the local driver runs one of each). */
  readonly controlPlane: {
    readonly apiServerReplicas: number;
    readonly etcdMembers: number;
    readonly etcdStorage: string;
    /** The seed whose shared etcd keeps the cluster's data (a key prefix of its own); absent: an etcd of the cluster's own. */
    readonly sharedDatastore?: string;
  };
  /** How the API is reached from outside the seed. */
  readonly exposure: { readonly serviceType: "NodePort" | "LoadBalancer"; readonly allowedSourceRanges: readonly string[] };
  /**
   * The kube-apiserver's AuthenticationConfiguration (YAML): the OIDC
   * issuers whose ID tokens it accepts. The API server reloads the file when
   * it changes, so a new issuer takes effect without a restart.
   */
  readonly authenticationConfig?: string;
  /** kube-apiserver flags from features such as OIDC. */
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** Run a kwok controller for the cluster's simulated machines (it has a kwok node pool). */
  readonly kwok?: boolean;
}

/** The Kubernetes version of each group of components an upgrade moves in turn. */
export interface ComponentVersions {
  readonly apiServer: string;
  /** kube-controller-manager and kube-scheduler. */
  readonly controllers: string;
}

/** The version each Kubernetes component of a plan runs. */
export function componentVersionsOf(plan: Pick<ControlPlanePlan, "version" | "componentVersions">): ComponentVersions {
  return plan.componentVersions ?? { apiServer: plan.version, controllers: plan.version };
}

/** One component as the driver sees it. */
export interface ComponentHealth {
  readonly name: string;
  /** A process (or pod) exists. */
  readonly running: boolean;
  /** It answers its health check. */
  readonly ready: boolean;
  readonly restarts: number;
  /**
   * Some instance answers, though not all may be ready or updated (a
   * rolling update); the same as `ready` where a component runs once.
   */
  readonly serving?: boolean;
  /** Why it is not ready, in words a user understands. */
  readonly message?: string;
  /** Instances that are ready, for a component that stands for several (a workload's replicas); absent: one instance. */
  readonly readyReplicas?: number;
  /**
   * The Kubernetes version every instance runs, once all run the planned
   * one and are ready (kube-apiserver, kube-controller-manager,
   * kube-scheduler); undefined while a rollout is under way.
   */
  readonly version?: string;
}

/** A client's way into one etcd member: its endpoint and mutual-TLS files. */
export interface EtcdAccess {
  /** https://host:port */
  readonly endpoint: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A client's way into one etcd member, open until closed (a port-forward through a seed, or nothing to close on this machine). */
export interface EtcdConnection extends EtcdAccess {
  close(): Promise<void>;
}

/** Where a snapshot is to be restored for one of a driver's clusters. */
export interface EtcdRestoreTarget {
  /** A data directory that does not exist yet: etcdutl snapshot restore --data-dir. */
  readonly dataDir: string;
  /** The member the cluster's etcd runs as, which the restored data must name. */
  readonly member: { readonly name: string; readonly peerURL: string };
}

/** A restore of a cluster's etcd, as the driver carries it out. */
export interface EtcdRestoreRequest {
  /** Names the restore (an EtcdRestore's uid): a call with the id of a restore that was interrupted resumes it; one that completed is not done again. */
  readonly id: string;
  /**
   * Writes the restored data for `target` (download, check, etcdutl
   * snapshot restore), while the cluster still runs. Throwing ends the
   * restore with the cluster as it was.
   */
  readonly stage: (target: EtcdRestoreTarget) => Promise<void>;
}

/** Where the export a tenant restore imports is staged, for a cluster whose keys are in a shared etcd. */
export interface TenantRestoreTarget {
  /** A file that does not exist yet, to be written with a prefix export (etcd/shared/export-format.ts); its keys are imported with its own prefix rewritten to `prefix`. */
  readonly file: string;
  /** The prefix the keys land under: the cluster's "/<id>/". */
  readonly prefix: string;
}

/** A restore of a cluster's keys in a shared etcd, as the driver carries it out (the other tenants' keys are never touched). */
export interface TenantRestoreRequest {
  /** Names the restore (an EtcdRestore's uid): a call with the id of a restore that was interrupted resumes it; one that completed is not done again. */
  readonly id: string;
  /** Writes the export to import (download, check), while the cluster still runs. Throwing ends the restore with the cluster as it was. */
  readonly stage: (target: TenantRestoreTarget) => Promise<void>;
}

/** What a tenant restore did (also when asked again after it completed). */
export interface TenantRestoreResult {
  /** The seed whose shared etcd holds the keys. */
  readonly seed: string;
  readonly prefix: string;
  /** Keys under the prefix deleted before the import, and keys written. */
  readonly deletedKeys: number;
  readonly writtenKeys: number;
  /**
   * The shared etcd's revision once the keys were written. Each imported key
   * has a new revision, above any the cluster's clients saw before (a shared
   * etcd's revision only grows), at or below this one.
   */
  readonly revision: number;
}

/** What a driver observed after applying a plan. */
export interface ControlPlaneObservation {
  /** https://host:port of the cluster's API. */
  readonly endpoint: string;
  /**
   * https://host:port where the cluster's machines reach its API, when that
   * differs from the endpoint (a local cluster's loopback endpoint is no
   * address a machine's network namespace reaches); undefined: machines use
   * the endpoint.
   */
  readonly nodeEndpoint?: string;
  readonly components: readonly ComponentHealth[];
  /** The id of a restore that holds the control plane stopped (EtcdRestoreRequest.id), while one does. */
  readonly restoring?: string;
  /** Each etcd member, voters first, when the driver reads etcd's member list. */
  readonly etcdMembers?: readonly EtcdMemberObservation[];
  /** The etcd membership change under way, or why it waits (absent: none). */
  readonly membership?: string;
  /**
   * Set when etcd lost its quorum for good (a majority of its members lost
   * their data): what was lost. Only a restore from a snapshot brings the
   * cluster back; the operator starts one.
   */
  readonly quorumLost?: string;
  /** For a tenant of a shared etcd: which one, its member count, and the tenant's share of it (read every few seconds). */
  readonly datastore?: { readonly shared: string; readonly members: number; readonly usage?: { readonly keys: number; readonly bytes: number } };
  /** Set on the pass that moved the cluster's data between an etcd of its own and a shared one: where to, keys carried, and how long the copy kept writers stopped. */
  readonly datastoreMoved?: { readonly to: "Shared" | "Dedicated"; readonly keys: number; readonly copyMs: number };
}

/** One etcd member as a driver saw it. */
export interface EtcdMemberObservation {
  readonly name: string;
  /** etcd's member ID in hex. */
  readonly id?: string;
  readonly role: "Leader" | "Follower" | "Learner" | "Unknown";
  readonly healthy: boolean;
  readonly dbSizeBytes?: number;
  readonly message?: string;
}

/**
 * What a driver can carry out of a plan: a spec asking for more is reported
 * (condition SpecSupported on the Cluster), never silently cut down.
 */
export interface DriverCapabilities {
  /** kube-apiserver replicas it runs per cluster. */
  readonly maxAPIServerReplicas: number;
  /** etcd members it runs per cluster. */
  readonly maxEtcdMembers: number;
  /** Whether it changes a running cluster's etcd member count (learners added and promoted, members removed one at a time). */
  readonly etcdMembershipChanges: boolean;
  /** A key prefix in a shared etcd instead of an etcd of the cluster's own (where its seed offers one). */
  readonly sharedDatastore: boolean;
  /** Whether a built cluster's data moves between an etcd of its own and a shared one when spec.controlPlane.datastore.type changes. */
  readonly datastoreMoves: boolean;
  /** The exposure.serviceType values it honours. */
  readonly serviceTypes: readonly ("NodePort" | "LoadBalancer")[];
  /** Whether it limits who reaches the API to exposure.allowedSourceRanges. */
  readonly allowedSourceRanges: boolean;
  /** Whether etcd gets a volume of datastore.storage (a local etcd writes to a directory, unlimited). */
  readonly etcdStorageSize: boolean;
  /** Whether this process snapshots the cluster's etcd (connectEtcd): scheduled and on-demand backups. */
  readonly backups: boolean;
}

/**
 * Turns a rendered control plane into running components somewhere: local
 * processes, or workloads in a seed. Every method is idempotent, so a
 * reconciler may call it on every pass.
 */
export interface HostingDriver {
  readonly name: "local" | "kubernetes";
  /**
   * Opens a client connection to one of the cluster's etcd members, for
   * snapshots and the revision a restore starts past; undefined where the
   * driver cannot (or the cluster has no control plane yet). The caller
   * closes it.
   */
  connectEtcd?(clusterId: string): Promise<EtcdConnection | undefined>;
  /**
   * Puts a cluster's etcd back to a snapshot: stages the restored data
   * while the cluster runs, then stops every component, swaps the data in
   * and leaves the next apply to start the control plane again. Resumable
   * (see EtcdRestoreRequest.id). Undefined where the driver cannot.
   */
  restoreEtcd?(clusterId: string, request: EtcdRestoreRequest): Promise<void>;
  /** The seed whose shared etcd holds the cluster's keys (its datastore as built, which may lag the spec during a move); undefined for an etcd of its own. */
  sharedDatastoreOf?(clusterId: string): string | undefined;
  /**
   * Writes an export of the cluster's prefix of its shared etcd to `file`
   * (every key under "/<id>/" at one revision, nothing of other tenants);
   * undefined when the cluster's keys are not in a shared etcd.
   */
  exportSharedTenant?(clusterId: string, file: string): Promise<TenantExport | undefined>;
  /**
   * Puts a shared etcd tenant's keys back to an export: stages it while the
   * cluster runs, then holds the control plane stopped, replaces every key
   * under the cluster's prefix and leaves the next apply to start it again.
   * Resumable (see TenantRestoreRequest.id); other tenants are untouched.
   */
  restoreSharedTenant?(clusterId: string, request: TenantRestoreRequest): Promise<TenantRestoreResult>;
  /**
   * True when the driver calls back on every change of a cluster's
   * components (the seed driver's informers), so the reconciler need not
   * look again on a timer while a control plane comes up; false when
   * readiness is only seen by probing (local processes).
   */
  readonly reportsChanges: boolean;
  /** What it can carry out; the rest of a spec is reported, not ignored. */
  readonly capabilities: DriverCapabilities;
  /** Makes the control plane match the plan (starting, adopting or replacing components) and reports what it sees, without waiting for readiness. */
  apply(plan: ControlPlanePlan): Promise<ControlPlaneObservation>;
  /** Stops and removes everything of the cluster (processes, ports, files; or workloads and their namespace); true once all is gone, false while it is still going. */
  delete(clusterId: string): Promise<boolean>;
  /** The cluster ids it hosts, to find orphans. */
  list(): Promise<string[]>;
  /**
   * Names the cluster's certificates must carry on this driver: in a seed,
   * its Service DNS names and the addresses the API is published at (seed
   * nodes for a NodePort, the load balancer's ingress). Asked on every
   * pass: a name the certificate lacks gets new leaves from the same CA.
   */
  certificateNames(clusterId: string): Promise<CertificateNames>;
}

/** Extra subject alternative names for a cluster's certificates. */
export interface CertificateNames {
  readonly apiServer: readonly string[];
  readonly etcd: readonly string[];
}

/** The file name of the kube-apiserver's AuthenticationConfiguration, beside its certificates in every driver. */
export const authenticationConfigFile = "authentication-config.yaml";
