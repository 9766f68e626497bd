/** What one cluster's control plane should be: the driver-neutral input of every hosting driver. */
export interface ControlPlanePlan {
  /** Unique among the driver's clusters and safe as a file or namespace name. */
  readonly clusterId: string;
  /** The Kubernetes version to run (one of tools/k8s/versions.json). */
  readonly version: string;
  readonly network: { readonly serviceCIDR: string; readonly podCIDR: string; readonly dnsDomain: string };
  /** The cluster's PKI, file name → PEM (see pkiFileNames). */
  readonly pki: ReadonlyMap<string, string>;
  /** kube-apiserver flags from features such as OIDC. */
  readonly apiServerExtraFlags?: Readonly<Record<string, string | number | boolean>>;
}

/** One component as the driver sees it. */
export interface ComponentHealth {
  readonly name: string;
  /** A process (or pod) exists. */
  readonly running: boolean;
  /** It answers its health check. */
  readonly ready: boolean;
  readonly restarts: number;
  /** Why it is not ready, in words a user understands. */
  readonly message?: string;
}

/** What a driver observed after applying a plan. */
export interface ControlPlaneObservation {
  /** https://host:port of the cluster's API. */
  readonly endpoint: string;
  readonly components: readonly ComponentHealth[];
}

/**
 * Turns a rendered control plane into running components somewhere: local
 * processes, or workloads in a seed. Every method is idempotent, so a
 * reconciler may call it on every pass.
 */
export interface HostingDriver {
  readonly name: "local" | "kubernetes";
  /** Makes the control plane match the plan (starting, adopting or replacing components) and reports what it sees, without waiting for readiness. */
  apply(plan: ControlPlanePlan): Promise<ControlPlaneObservation>;
  /** Stops and removes everything of the cluster: processes, ports, files. */
  delete(clusterId: string): Promise<void>;
  /** The cluster ids it hosts, to find orphans. */
  list(): Promise<string[]>;
}
