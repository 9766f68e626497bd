/**
 * The contract between the NodePool reconciler and the places machines come
 * from. A provider keeps no state of its own: every machine carries its pool
 * in the provider's own tags (kwok: Node labels; clouds: instance tags or
 * server metadata), so after a crash the reconciler lists the pool and adopts
 * what it finds. Creation is idempotent by machine name, so a retried create
 * never makes a second machine.
 */

/** Which pool a machine belongs to. */
export interface PoolRef {
  /** The management namespace of the NodePool (project-<name>). */
  readonly namespace: string;
  readonly name: string;
  /** The tenant cluster's id (<project>-<cluster>). */
  readonly clusterId: string;
}

/** What each machine of a pool looks like (NodePool spec.machineTemplate). */
export interface MachineTemplate {
  /** A quantity: "2", "500m" (the CRD admits a number too). */
  readonly cpu: string | number;
  readonly memory: string | number;
  readonly pods: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
}

/** One machine to make. */
export interface MachineRequest {
  /** Unique in the pool and stable across retries: <pool>-<suffix>. */
  readonly name: string;
  readonly pool: PoolRef;
  readonly template: MachineTemplate;
  /** The kubelet version. */
  readonly kubernetesVersion: string;
  /** cloud-init user data that joins the machine to the cluster (see bootstrap/). */
  readonly userData: string;
}

/** A machine as its provider reports it. */
export interface Machine {
  readonly name: string;
  /** The Node's spec.providerID once known (kwok://…, local://…, aws:///zone/i-…, openstack:///uuid). */
  readonly providerID: string;
  /** The Node name the machine registers as. */
  readonly nodeName: string;
  readonly phase: "Pending" | "Running" | "Failed" | "Deleting";
  /** When the provider made it (ISO 8601), to pick the newest on scale-down. */
  readonly createdAt: string;
  /** Why it failed, in words a user understands (phase Failed). */
  readonly message?: string;
}

/** Creates, deletes and lists the machines of node pools. */
export interface MachineProvider {
  readonly type: "kwok" | "local" | "openstack" | "aws";
  /** Makes the machine, or returns it if one of that name exists in the pool already. */
  create(request: MachineRequest): Promise<Machine>;
  /** Removes the machine; done when it is gone or going (idempotent). */
  delete(pool: PoolRef, machine: Machine): Promise<void>;
  /** Every machine tagged with the pool, whatever state it is in. */
  list(pool: PoolRef): Promise<Machine[]>;
}

/**
 * Labels (kwok) and tags (clouds) that tie a machine to its pool: the
 * cluster id and the pool's name, which is unique among a cluster's pools
 * (pools of one cluster share its namespace).
 */
export const machineLabels = {
  pool: "seedbed.dev/node-pool",
  clusterId: "seedbed.dev/cluster-id",
} as const;
