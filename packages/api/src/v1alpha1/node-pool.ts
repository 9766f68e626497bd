import Type from "typebox";
import { ageColumn, phaseColumn, type KindDefinition } from "../crd/definition.ts";
import { SecretKeyReference, StatusOf } from "../schema/common.ts";
import { maxNameLength, referenceRule } from "../schema/names.ts";
import { Duration, Quantity, StringEnum, StringMap } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { immutableRule, kubernetesVersionRules } from "../schema/rules.ts";

/** A taint every machine of the pool gets. */
export const Taint = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 317 }),
  value: Type.Optional(Type.String({ maxLength: 63 })),
  effect: StringEnum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

/** What each machine of the pool looks like. */
export const MachineTemplate = Type.Object({
  cpu: Quantity({ default: "2", description: "CPUs of each machine (kwok: the Node's capacity; clouds: used to check the flavor/instance type)." }),
  memory: Quantity({ default: "4Gi" }),
  pods: Type.Integer({ minimum: 1, maximum: 1000, default: 110 }),
  labels: Type.Optional(StringMap({ maxProperties: 64, description: "Labels every Node of the pool carries." })),
  taints: Type.Optional(Type.Array(Taint, { maxItems: 32 })),
}, { default: {} });

/** Provider-specific settings. */
export const Provider = Type.Object({
  type: StringEnum(["kwok", "local", "openstack", "aws"], {
    default: "kwok",
    description: "kwok: simulated nodes (the default); local: real kubelets on the platform's own machine, each in a network namespace of its own (needs a platform started as root with `seedbed up`); openstack, aws: real machines with cloud-init bootstrap. Immutable.",
    "x-kubernetes-validations": [immutableRule("provider.type", "create a new node pool on the other provider")],
  }),
  credentialsSecretRef: Type.Optional(SecretKeyReference),
  openstack: Type.Optional(Type.Object({
    flavor: Type.String({ minLength: 1, maxLength: 255 }),
    image: Type.String({ minLength: 1, maxLength: 255 }),
    network: Type.String({ minLength: 1, maxLength: 255 }),
    availabilityZone: Type.Optional(Type.String({ maxLength: 255 })),
    securityGroups: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 16 })),
  })),
  aws: Type.Optional(Type.Object({
    region: Type.String({ minLength: 1, maxLength: 32 }),
    instanceType: Type.String({ minLength: 1, maxLength: 64 }),
    ami: Type.String({ pattern: "^ami-[0-9a-f]{8,17}$", maxLength: 21 }),
    subnetID: Type.String({ pattern: "^subnet-[0-9a-f]{8,17}$", maxLength: 24 }),
    securityGroupIDs: Type.Optional(Type.Array(Type.String({ pattern: "^sg-[0-9a-f]{8,17}$", maxLength: 20 }), { maxItems: 16 })),
  })),
}, {
  default: { type: "kwok" },
  "x-kubernetes-validations": [
    { rule: "self.type != 'openstack' || (has(self.openstack) && has(self.credentialsSecretRef))", message: "an openstack node pool needs provider.openstack (flavor, image, network) and provider.credentialsSecretRef" },
    { rule: "self.type != 'aws' || (has(self.aws) && has(self.credentialsSecretRef))", message: "an aws node pool needs provider.aws (region, instanceType, ami, subnetID) and provider.credentialsSecretRef" },
    { rule: "self.type != 'local' || !has(self.credentialsSecretRef)", message: "a local node pool needs no credentials: remove provider.credentialsSecretRef", fieldPath: ".credentialsSecretRef" },
    { rule: "self.type == 'openstack' || !has(self.openstack)", message: "provider.openstack applies only to type openstack", fieldPath: ".openstack" },
    { rule: "self.type == 'aws' || !has(self.aws)", message: "provider.aws applies only to type aws", fieldPath: ".aws" },
  ],
});

/** Scaling between bounds on load. */
export const Autoscaling = Type.Object({
  minReplicas: Type.Integer({ minimum: 0, maximum: 1000 }),
  maxReplicas: Type.Integer({ minimum: 1, maximum: 1000 }),
  scaleDownDelay: Duration({ default: "10m", description: "How long a node must be unneeded before it is removed." }),
}, {
  "x-kubernetes-validations": [
    { rule: "self.minReplicas <= self.maxReplicas", message: "minReplicas must not exceed maxReplicas", fieldPath: ".minReplicas" },
  ],
});

/** A group of identical worker machines of one cluster. */
export const NodePoolSpec = Type.Object({
  clusterName: Type.String({ maxLength: 63, description: "The Cluster (same namespace) the machines join. Immutable.", "x-kubernetes-validations": [referenceRule("a Cluster in this namespace"), immutableRule("clusterName", "create the pool in the other cluster")] }),
  replicas: Type.Integer({ minimum: 0, maximum: 1000, default: 1, description: "Machines wanted; the autoscaler moves it between its bounds when autoscaling is set." }),
  autoscaling: Type.Optional(Autoscaling),
  version: Type.Optional(Type.String({ maxLength: 16, description: "kubelet version; when omitted, the version the cluster's control plane runs (status.version), so machines follow its upgrades. At most three minors behind the control plane, never ahead. Machines are replaced to change it (upgradeStrategy), so going back is allowed.", "x-kubernetes-validations": kubernetesVersionRules({ downgrades: false }) })),
  upgradeStrategy: Type.Object({
    maxSurge: Type.Integer({ minimum: 0, maximum: 100, default: 1, description: "Machines made beyond spec.replicas while outdated ones are replaced." }),
    maxUnavailable: Type.Integer({ minimum: 0, maximum: 100, default: 0, description: "Machines that may be missing or unready below spec.replicas while outdated ones are replaced (drained first)." }),
  }, {
    // Written out, not {}: kube-apiserver checks a default against the object's CEL rules without filling in its fields' defaults.
    default: { maxSurge: 1, maxUnavailable: 0 },
    description: "How machines of another kubelet version than the pool's are replaced: a new one made, then an old one drained and removed, like a Deployment's rolling update.",
    "x-kubernetes-validations": [{ rule: "self.maxSurge > 0 || self.maxUnavailable > 0", message: "maxSurge and maxUnavailable cannot both be 0: no machine could ever be replaced; set maxSurge to 1 (or maxUnavailable to 1 where the project's quota has no room)" }],
  }),
  provider: Provider,
  machineTemplate: MachineTemplate,
  autoHealing: Type.Object({
    enabled: Type.Boolean({ default: true }),
    notReadyTimeout: Duration({ default: "5m", description: "A machine whose Node stays NotReady this long is replaced." }),
  }, { default: {} }),
  drainTimeout: Duration({ default: "5m", description: "How long scale-down waits for evictions (which respect PodDisruptionBudgets) before it removes a machine anyway." }),
}, {
  "x-kubernetes-validations": [
    { rule: "!has(self.autoscaling) || (self.replicas >= self.autoscaling.minReplicas && self.replicas <= self.autoscaling.maxReplicas)", message: "replicas must lie between autoscaling.minReplicas and autoscaling.maxReplicas", fieldPath: ".replicas" },
  ],
});

/** A node pool's phases. */
export const nodePoolPhases = ["Pending", "Scaling", "Upgrading", "Running", "Degraded", "Deleting"] as const;

/** What the platform observed of a node pool. */
export const NodePoolStatus = StatusOf(nodePoolPhases, {
  replicas: Type.Optional(Type.Integer({ minimum: 0, description: "Machines that exist." })),
  readyReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "Machines whose Node is Ready." })),
  updatedReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "Machines whose kubelet runs the pool's version." })),
  version: Type.Optional(Type.String({ description: "The kubelet version the pool's machines run to (spec.version, else the cluster's status.version)." })),
  machines: Type.Optional(Type.Array(Type.Object({
    name: Type.String(),
    providerID: Type.Optional(Type.String()),
    ready: Type.Boolean(),
    version: Type.Optional(Type.String({ description: "The kubelet version its Node reports." })),
    createdTime: Type.Optional(Type.String({ format: "date-time", description: "When the provider made it: a machine made before its cluster's CA rotation was Prepared trusts only the old CA and is replaced before the rotation completes." })),
  }), { maxItems: 1000 })),
});

/** The NodePool resource schema. */
export const NodePoolSchema = Type.Object({ spec: NodePoolSpec, status: Type.Optional(NodePoolStatus) });

/** Worker machines of a cluster. */
export type NodePool = ResourceOf<"NodePool", typeof NodePoolSchema>;
/** A NodePool's spec. */
export type NodePoolSpec = Type.Static<typeof NodePoolSpec>;

/** NodePool as a CRD. */
export const nodePoolKind: KindDefinition = {
  kind: "NodePool",
  plural: "nodepools",
  singular: "nodepool",
  shortNames: ["np", "sbnp"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.nodePool, why: "so that machine names <pool>-<suffix> fit" },
  schema: NodePoolSchema,
  description: "Identical worker machines of one Cluster, from one provider; scaled by hand or between min and max by the autoscaler.",
  printerColumns: [
    { name: "Cluster", type: "string", jsonPath: ".spec.clusterName" },
    { name: "Provider", type: "string", jsonPath: ".spec.provider.type" },
    { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Min", type: "integer", jsonPath: ".spec.autoscaling.minReplicas", priority: 1 },
    { name: "Max", type: "integer", jsonPath: ".spec.autoscaling.maxReplicas", priority: 1 },
    { name: "Version", type: "string", jsonPath: ".status.version", priority: 1, description: "The kubelet version the machines run to" },
    { name: "Updated", type: "integer", jsonPath: ".status.updatedReplicas", priority: 1 },
    phaseColumn,
    ageColumn,
  ],
};
