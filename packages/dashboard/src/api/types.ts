// Structural types of what /api/v1 returns, trimmed to what the dashboard
// reads. They follow packages/api (and /openapi.json) but are written here
// so the browser bundle does not pull in typebox and the CRD schemas.

/** A project role as GET /projects reports it for the caller; "admin" is a platform admin. */
export type Role = "owner" | "editor" | "viewer" | "admin";

/** metav1.ObjectMeta, the fields the dashboard uses. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** Every list the API returns. */
export interface List<T> {
  items: T[];
}

/** A project member. */
export interface ProjectMember {
  kind?: "User" | "Group";
  name: string;
  role: "owner" | "editor" | "viewer";
}

/** A Project as GET /projects lists it, with the caller's role. */
export interface Project {
  apiVersion?: string;
  kind?: "Project";
  metadata: ObjectMeta;
  spec: {
    displayName?: string;
    description?: string;
    members?: ProjectMember[];
    quota?: { clusters?: number; nodePools?: number; nodes?: number };
  };
  status?: { phase?: "Pending" | "Active" | "Terminating"; namespace?: string; conditions?: Condition[] };
  /** The caller's role in this project (top level of each item). */
  role?: Role;
}

/** A Cluster's phases. */
export type ClusterPhase = "Pending" | "Provisioning" | "Running" | "Upgrading" | "Restoring" | "Degraded" | "Deleting" | "Failed";

/** An add-on asked for. */
export interface Addon {
  name: string;
  enabled?: boolean;
  helm?: { repository: string; chart: string; version: string; namespace?: string; values?: Record<string, unknown>; caBundle?: string };
}

/** An add-on's status. */
export interface AddonStatus {
  name: string;
  source: "BuiltIn" | "Helm";
  version?: string;
  ready: boolean;
  phase: "Installing" | "Installed" | "Failed" | "Removing";
  message?: string;
  lastAppliedTime?: string;
}

/** A cluster's last upgrade (status.upgrade). */
export interface ClusterUpgradeStatus {
  from: string;
  to: string;
  phase: "Upgrading" | "Completed" | "Failed" | "RollingBack" | "RolledBack";
  step: "Snapshot" | "Etcd" | "APIServer" | "Controllers" | "NodePools" | "Done";
  message?: string;
  startedTime: string;
  stepStartedTime?: string;
  completionTime?: string;
  snapshot?: string;
  rollback?: boolean;
}

/** A cluster's certificates (status.certificates): dates and fingerprints, never a key. */
export interface ClusterCertificatesStatus {
  authorities?: { name: string; fingerprint: string; notAfter?: string; previous?: { fingerprint: string; notAfter?: string } }[];
  leaves?: { name: string; notAfter: string }[];
  renewalTime?: string;
  rotation?: { id: string; phase: string; trigger: string; startedTime: string; phaseTime: string; completionTime?: string; message?: string; outstandingKubeconfigs?: number };
  lastRotationTime?: string;
  nextRotationTime?: string;
}

/** A tenant Kubernetes cluster. */
export interface Cluster {
  apiVersion?: string;
  kind?: "Cluster";
  metadata: ObjectMeta;
  spec: {
    version?: string;
    template?: string;
    seed?: string;
    paused?: boolean;
    controlPlane?: { replicas?: number; datastore?: { type?: "Dedicated" | "Shared"; members?: number; storage?: string } };
    network?: { podCIDR?: string; serviceCIDR?: string; dnsDomain?: string; cni?: string };
    exposure?: { strategy?: "OwnPort" | "SharedSNI"; serviceType?: "NodePort" | "LoadBalancer"; allowedSourceRanges?: string[] };
    addons?: Addon[];
    backup?: { schedule: string; retention?: number; verify?: string };
    upgrade?: { deadline?: string; snapshot?: "Required" | "Skip" };
    certificates?: Record<string, unknown>;
  };
  status?: {
    observedGeneration?: number;
    phase?: ClusterPhase;
    conditions?: Condition[];
    clusterID?: string;
    version?: string;
    endpoint?: string;
    sharedEndpoint?: string;
    seed?: string;
    region?: string;
    nodes?: { ready: number; total: number };
    lastBackupTime?: string;
    lastVerifiedBackupTime?: string;
    upgrade?: ClusterUpgradeStatus;
    certificates?: ClusterCertificatesStatus;
    controlPlane?: { apiServers: string; etcd: string; membership?: string };
    addons?: AddonStatus[];
  };
}

/** A NodePool's phases. */
export type NodePoolPhase = "Pending" | "Scaling" | "Upgrading" | "Running" | "Degraded" | "Deleting";

/** A pool of worker machines of one cluster. */
export interface NodePool {
  apiVersion?: string;
  kind?: "NodePool";
  metadata: ObjectMeta;
  spec: {
    clusterName: string;
    replicas: number;
    version?: string;
    provider?: { type?: string; [key: string]: unknown };
    autoscaling?: { minReplicas: number; maxReplicas: number };
    [key: string]: unknown;
  };
  status?: {
    observedGeneration?: number;
    phase?: NodePoolPhase;
    conditions?: Condition[];
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    version?: string;
    machines?: { name: string; providerID?: string; ready: boolean; version?: string; createdTime?: string }[];
  };
}

/** A core/v1 Event about a cluster or its pools (GET …/clusters/:name/events, oldest first). */
export interface ClusterEvent {
  metadata: ObjectMeta;
  type?: "Normal" | "Warning";
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  regarding?: { kind?: string; name?: string };
  note?: string;
}

/** An etcd snapshot of a cluster. */
export interface EtcdBackup {
  metadata: ObjectMeta;
  spec: { clusterName: string; [key: string]: unknown };
  status?: { phase?: string; conditions?: Condition[]; completionTime?: string; startTime?: string; sizeBytes?: number; location?: string; [key: string]: unknown };
}

/** A restore of a cluster's etcd from a snapshot. */
export interface EtcdRestore {
  metadata: ObjectMeta;
  spec: { clusterName: string; backupName?: string; [key: string]: unknown };
  status?: { phase?: string; conditions?: Condition[]; [key: string]: unknown };
}

/** A template that fills what a Cluster's spec leaves out. */
export interface ClusterTemplate {
  metadata: ObjectMeta;
  spec: Record<string, unknown> & { description?: string };
}

/** The body of every API error. */
export interface ErrorBody {
  error: { status: number; reason: string; message: string; field?: string };
}

/** GET /dashboard/config.json. */
export interface DashboardConfig {
  issuerURL: string;
  clientID: string;
  scopes: string;
  /** Supported Kubernetes versions, newest first. */
  versions: string[];
}
