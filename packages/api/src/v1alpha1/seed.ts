import Type from "typebox";
import { BackupStorage } from "./backup-storage.ts";
import { ageColumn, phaseColumn, readyColumn, type KindDefinition } from "../crd/definition.ts";
import { SecretKeyReference, StatusOf } from "../schema/common.ts";
import { maxNameLength } from "../schema/names.ts";
import { Quantity, StringEnum } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { immutableRule } from "../schema/rules.ts";

/** A shared etcd a seed offers to clusters with spec.controlPlane.datastore.type Shared. */
export const SharedDatastoreSpec = Type.Object({
  members: Type.Integer({
    default: 3,
    description: "etcd members of the shared datastore: 1, 3 or 5. Fixed once it is built (changing it is refused).",
    "x-kubernetes-validations": [
      { rule: "self in [1, 3, 5]", message: "must be 1, 3 or 5: an odd number of members keeps a quorum" },
      { rule: "self == oldSelf", message: "spec.sharedDatastore.members cannot be changed once the shared etcd is built; create another Seed for another size" },
    ],
  }),
  quota: Quantity({ default: "8Gi", description: "etcd's backend quota for all tenants together (--quota-backend-bytes); each cluster's own limit is its spec.controlPlane.datastore.storage." }),
}, { description: "A shared etcd on this seed, managed by Seedbed: each cluster with datastore type Shared gets the key prefix /<cluster id>/ and an etcd user and role confined to it, authenticated by a client certificate. Supported on local seeds; a kubernetes Seed reports it as NotSupported. Removing it is refused while clusters use it." });

/** A place that hosts control planes. */
export const SeedSpec = Type.Object({
  driver: StringEnum(["local", "kubernetes"], {
    description: "local: processes on the machine running Seedbed; kubernetes: workloads in the cluster kubeconfigSecretRef points at (the management cluster itself when omitted). Immutable.",
    "x-kubernetes-validations": [immutableRule("driver", "create another Seed")],
  }),
  region: Type.Optional(Type.String({ maxLength: 63, description: "Where the seed is: clusters with spec.seedSelector.region choose among the seeds of their region; shown in the status (and the wide listing) of each cluster it hosts, and as the Seed's label topology.kubernetes.io/region." })),
  default: Type.Boolean({ default: false, description: "Clusters that name no seed go to the default one." }),
  kubeconfigSecretRef: Type.Optional(SecretKeyReference),
  backupStorage: Type.Optional(BackupStorage("a Secret in the namespace credentialsSecretRef.namespace names", "Where the etcd snapshots of the clusters hosted here go, unless a cluster, its template or its project names a store; the platform's own store when omitted.", { rule: "has(self.namespace)", message: "credentialsSecretRef.namespace is required: a Seed has no namespace of its own" })),
  storageClassName: Type.Optional(Type.String({ maxLength: 253, description: "StorageClass of etcd's volumes on a kubernetes seed; the seed's default when omitted." })),
  capacity: Type.Optional(Type.Object({ maxClusters: Type.Integer({ minimum: 0, maximum: 100000, description: "No new cluster is placed here once it hosts this many; such a cluster waits in phase Pending (reason SeedFull). Clusters already here stay." }) })),
  sharedDatastore: Type.Optional(SharedDatastoreSpec),
  imageRegistry: Type.Optional(Type.String({
    maxLength: 253,
    pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$",
    description: "A registry mirror the add-ons of the clusters hosted here pull their images from, e.g. registry.example.com/mirror (the image's path and tag are kept: registry.k8s.io/coredns/coredns:v1.15.0 becomes registry.example.com/mirror/coredns/coredns:v1.15.0). When omitted, the platform's mirror, else each image's upstream registry.",
  })),
  sniDomain: Type.Optional(Type.String({ maxLength: 200, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", description: "Clusters exposed through the shared endpoint answer as <cluster>.<project>.<sniDomain>. Not used yet: the platform's one shared domain applies to every seed, and the Seed reports this field as NotSupported." })),
}, {
  "x-kubernetes-validations": [
    { rule: "self.driver == 'kubernetes' || !has(self.kubeconfigSecretRef)", message: "kubeconfigSecretRef applies only to a kubernetes seed; a local seed is this machine", fieldPath: ".kubeconfigSecretRef" },
    { rule: "!has(self.kubeconfigSecretRef) || has(self.kubeconfigSecretRef.namespace)", message: "kubeconfigSecretRef.namespace is required: a Seed has no namespace of its own", fieldPath: ".kubeconfigSecretRef" },
  ],
});

/** Condition types a Seed reports (written by the seed controller). */
export const SeedConditions = {
  /** The operator can host control planes there: this machine for a local seed, the seed's API answering for a kubernetes one. */
  Ready: "Ready",
  /** Every spec field is honoured; False (reason NotSupported) names those that are accepted but not carried out, and what to do. */
  SpecSupported: "SpecSupported",
  /** True when the seed holds as many clusters as spec.capacity.maxClusters allows: new clusters wait (Pending, reason SeedFull). */
  Full: "Full",
  /** True while a deleted Seed is kept (finalizer seedbed.dev/seed-in-use) because it still hosts clusters; the message names them. */
  Deleting: "Deleting",
} as const;

/** Reasons on Seed conditions that other code (and users' scripts) test for. */
export const SeedReasons = {
  /** Deleting=True: the Seed goes once the clusters the message names are deleted. */
  HostsClusters: "HostsClusters",
} as const;

/**
 * Kept on every Seed by the operator: a Seed that still hosts clusters is
 * not removed when deleted (it stays Terminating, condition Deleting naming
 * them) until they are gone, since their control planes could then be
 * neither served nor deleted.
 */
export const seedInUseFinalizer = "seedbed.dev/seed-in-use";

/** The label a Seed carries with its spec.region (when that is a valid label value), to select seeds by region. */
export const seedRegionLabel = "topology.kubernetes.io/region";

/** How many hosted clusters status.clusterNames lists at most (status.clusters has the full count). */
export const maxListedSeedClusters = 20;

/** A seed's phases. */
export const seedPhases = ["Pending", "Ready", "NotReady", "Deleting"] as const;

/** What the platform observed of a seed. */
export const SeedStatus = StatusOf(seedPhases, {
  clusters: Type.Optional(Type.Integer({ minimum: 0, description: "Control planes hosted here." })),
  clusterNames: Type.Optional(Type.Array(Type.String({ maxLength: 127 }), { maxItems: maxListedSeedClusters, description: `The hosted clusters as <namespace>/<name>, sorted; at most ${maxListedSeedClusters} (status.clusters is the full count).` })),
  capacityLeft: Type.Optional(Type.Integer({ minimum: 0, description: "How many more clusters may be placed here (spec.capacity.maxClusters less those hosted); absent when no capacity is set." })),
  reachable: Type.Optional(Type.Boolean({ description: "Whether the operator can host control planes here (condition Ready says why not)." })),
  kubernetesVersion: Type.Optional(Type.String({ description: "The seed cluster's own version (kubernetes driver)." })),
  sharedDatastore: Type.Optional(Type.Object({
    ready: Type.Boolean({ description: "A quorum of its members serves and its access control is on: clusters may use it." }),
    members: Type.String({ maxLength: 8, description: "Members healthy / built, e.g. 3/3." }),
    tenants: Type.Integer({ minimum: 0, description: "Clusters that have an etcd user in it." }),
    dbSizeBytes: Type.Optional(Type.Integer({ minimum: 0, description: "Its largest member's database file: every tenant's data and the history not compacted yet." })),
    message: Type.Optional(Type.String({ maxLength: 1024, description: "Why it is not ready, or what of its spec is not carried out." })),
  }, { description: "The shared etcd of spec.sharedDatastore, as last seen." })),
});

/** The Seed resource schema. */
export const SeedSchema = Type.Object({ spec: SeedSpec, status: Type.Optional(SeedStatus) });

/** A place that hosts control planes: this machine, or a Kubernetes cluster. */
export type Seed = ResourceOf<"Seed", typeof SeedSchema>;

/** Seed as a CRD. */
export const seedKind: KindDefinition = {
  kind: "Seed",
  plural: "seeds",
  singular: "seed",
  shortNames: ["sbseed"],
  scope: "Cluster",
  name: { maxLength: maxNameLength.seed, why: "so that names derived from it fit" },
  schema: SeedSchema,
  description: "A place that hosts tenant control planes: this machine (driver local) or a Kubernetes cluster (driver kubernetes).",
  printerColumns: [
    { name: "Driver", type: "string", jsonPath: ".spec.driver" },
    { name: "Region", type: "string", jsonPath: ".spec.region" },
    { name: "Default", type: "boolean", jsonPath: ".spec.default" },
    { name: "Clusters", type: "integer", jsonPath: ".status.clusters" },
    { name: "Max", type: "integer", jsonPath: ".spec.capacity.maxClusters", description: "spec.capacity.maxClusters: no new cluster is placed beyond it" },
    { name: "Left", type: "integer", jsonPath: ".status.capacityLeft", priority: 1, description: "How many more clusters may be placed here" },
    { name: "Shared Etcd", type: "string", jsonPath: ".status.sharedDatastore.members", priority: 1, description: "The shared etcd's members healthy / built" },
    { name: "Tenants", type: "integer", jsonPath: ".status.sharedDatastore.tenants", priority: 1, description: "Clusters keeping their data in the shared etcd" },
    phaseColumn,
    readyColumn,
    ageColumn,
  ],
};
