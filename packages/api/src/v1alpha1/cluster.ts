import Type from "typebox";
import { ageColumn, phaseColumn, readyColumn, type KindDefinition } from "../crd/definition.ts";
import { LocalObjectReference, StatusOf } from "../schema/common.ts";
import { BackupStorage } from "./backup-storage.ts";
import { maxClusterIdLength, maxNameLength, referenceRule } from "../schema/names.ts";
import { FreeForm, MapList, Quantity, StringEnum } from "../schema/primitives.ts";
import type { ResourceOf } from "../schema/resource.ts";
import { clusterFirstVersionRules, clusterRollbackRule, immutableRule, ipv4CIDRRules, kubernetesVersionRules, noOverlapRule } from "../schema/rules.ts";
import { CertificatePolicy, ClusterCertificatesStatus } from "./certificates.ts";
import { ClusterUpgradeStatus, UpgradePolicy } from "./upgrade.ts";
import { Auth } from "./cluster-auth.ts";
import { ControlPlaneStatus } from "./control-plane-status.ts";

/** The etcd a control plane stores its data in. */
export const Datastore = Type.Object({
  type: StringEnum(["Dedicated", "Shared"], {
    default: "Dedicated",
    description: "Dedicated: an etcd of the cluster's own. Shared: a key prefix in the seed's shared etcd (the Seed's spec.sharedDatastore), reached with an etcd user confined to that prefix: cheaper, and isolated by etcd's own access control.",
  }),
  members: Type.Integer({
    default: 1,
    description: "etcd members of a Dedicated datastore: 1, or 3 / 5 for high availability (an odd count keeps a quorum). Changing it resizes etcd one member at a time (a new member joins as a learner and is promoted once it has caught up; a removed one leaves the member list before it stops).",
    "x-kubernetes-validations": [{ rule: "self in [1, 3, 5]", message: "must be 1, 3 or 5: an odd number of members keeps a quorum" }],
  }),
  storage: Quantity({ default: "1Gi", description: "Dedicated: size of each member's volume (kubernetes driver). Shared: the most bytes the cluster's keys may hold in the shared etcd; at the limit its API refuses new objects until some are deleted or the limit is raised (condition DatastoreWithinLimit)." }),
}, {
  "x-kubernetes-validations": [
    { rule: "self.type == 'Dedicated' || self.members == 1", message: "members applies only to a Dedicated datastore; a Shared one takes no member count", fieldPath: ".members" },
  ],
});

/** The control plane's size and placement. */
export const ControlPlane = Type.Object({
  replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1, description: "kube-apiserver replicas behind the cluster's one endpoint (a Service on kubernetes seeds, the platform's load balancer on the local one); controller-manager and scheduler then run as many, electing a leader." }),
  datastore: Type.Optional(Datastore),
});

/** The cluster network. */
export const Network = Type.Object({
  podCIDR: Type.String({
    maxLength: 43,
    default: "10.244.0.0/16",
    description: "Pod IPs come from here. Immutable.",
    "x-kubernetes-validations": [...ipv4CIDRRules("10.244.0.0/16", 8, 24, "every node takes a /24 of it"), immutableRule("podCIDR")],
  }),
  serviceCIDR: Type.String({
    maxLength: 43,
    default: "10.96.0.0/12",
    description: "Service ClusterIPs come from here; its first address is the kubernetes Service. Immutable.",
    "x-kubernetes-validations": [...ipv4CIDRRules("10.96.0.0/12", 12, 24, "kube-apiserver allows at most 2^20 service IPs"), immutableRule("serviceCIDR")],
  }),
  dnsDomain: Type.String({
    maxLength: 63,
    default: "cluster.local",
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    "x-kubernetes-validations": [immutableRule("dnsDomain")],
  }),
  cni: StringEnum(["calico", "flannel", "cilium", "none"], {
    // none by default: Seedbed installs no CNI yet, and a default it does not
    // honour would mark every cluster NotSupported (see SpecSupported).
    default: "none",
    description: "The CNI add-on installed into the cluster from its upstream Helm chart at the version Seedbed pins, with values derived from the cluster (pod CIDR, API endpoint); none leaves it to you. Reported in status.addons under its name.",
    "x-kubernetes-validations": [immutableRule("cni", "changing the CNI of a running cluster breaks pod networking")],
  }),
}, { "x-kubernetes-validations": [noOverlapRule("podCIDR", "serviceCIDR")] });

/** How the cluster's API is reached. */
export const Exposure = Type.Object({
  strategy: StringEnum(["OwnPort", "SharedSNI"], {
    default: "OwnPort",
    description: "OwnPort: an endpoint of its own (a loopback port locally, a NodePort or LoadBalancer in a seed). SharedSNI: the platform's one endpoint, routed by TLS SNI to <cluster>.<project>.<domain>. Can be switched without recreating the cluster.",
  }),
  serviceType: StringEnum(["NodePort", "LoadBalancer"], { default: "NodePort", description: "The Service type of an OwnPort endpoint in a seed." }),
  allowedSourceRanges: Type.Optional(Type.Array(Type.String({ maxLength: 43, "x-kubernetes-validations": [{ rule: "isCIDR(self)", message: "must be a CIDR such as 203.0.113.0/24" }] }), { maxItems: 32, description: "Only these clients may reach the API (all when empty)." })),
});

// Who may log in (spec.auth), with the rules that keep a cluster's own
// issuer from asserting the platform's users and groups: cluster-auth.ts.
export { Auth, OIDC } from "./cluster-auth.ts";

/** An add-on installed into the tenant cluster. */
export const Addon = Type.Object({
  name: Type.String({ maxLength: 63, "x-kubernetes-validations": [referenceRule("the add-on")] }),
  enabled: Type.Boolean({ default: true }),
  helm: Type.Optional(Type.Object({
    repository: Type.String({ maxLength: 2048, "x-kubernetes-validations": [{ rule: "isURL(self) || self.startsWith('oci://')", message: "must be a chart repository URL (https://… or oci://…)" }] }),
    chart: Type.String({ minLength: 1, maxLength: 253 }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    namespace: Type.String({ default: "default", maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }),
    values: Type.Optional(FreeForm()),
    caBundle: Type.Optional(Type.String({
      maxLength: 65536,
      description: "PEM of the CAs that sign the chart repository's or OCI registry's TLS certificate (a private mirror), trusted instead of the system's CAs (helm --ca-file).",
      "x-kubernetes-validations": [{ rule: "self.contains('-----BEGIN CERTIFICATE-----')", message: "must be PEM certificates (-----BEGIN CERTIFICATE-----…), e.g. the registry CA's ca.crt" }],
    })),
  }, {
    description: "A Helm chart; built-in add-ons (coredns, metrics-server, dashboard) need none.",
    "x-kubernetes-validations": [{ rule: "!has(self.caBundle) || !self.repository.startsWith('http://')", message: "an http:// repository has no TLS to verify: use https:// or remove caBundle", fieldPath: ".caBundle" }],
  })),
}, {
  "x-kubernetes-validations": [
    { rule: "!has(self.helm) || size(self.name) <= 53", messageExpression: "'a Helm add-on\\'s name is its release name, which helm limits to 53 characters; shorten \\'' + self.name + '\\''", fieldPath: ".name" },
    { rule: "has(self.helm) || self.name in ['coredns', 'metrics-server', 'dashboard', 'calico', 'flannel', 'cilium']", messageExpression: "'unknown built-in add-on \\'' + self.name + '\\': use coredns, metrics-server or dashboard (or calico, flannel, cilium to set the CNI\\'s chart), or give a helm chart'", fieldPath: ".name" },
  ],
});

/** An add-on asked for. */
export type Addon = Type.Static<typeof Addon>;

/** One add-on as the add-on controller last left it. */
export const AddonStatus = Type.Object({
  name: Type.String({ maxLength: 63 }),
  source: StringEnum(["BuiltIn", "Helm"], { description: "BuiltIn: objects Seedbed renders and applies; Helm: a release installed with helm." }),
  version: Type.Optional(Type.String({ maxLength: 64, description: "The version installed (a built-in add-on's image tag, a chart's version)." })),
  ready: Type.Boolean({ description: "Installed at its version and its workloads available." }),
  phase: StringEnum(["Installing", "Installed", "Failed", "Removing"], { description: "Installing: applied (or being applied), not ready yet; Installed: ready; Failed: the last attempt failed (message), retried with backoff; Removing: disabled or removed from the spec, being uninstalled." }),
  namespace: Type.Optional(Type.String({ maxLength: 63, description: "A Helm release's namespace." })),
  release: Type.Optional(Type.String({ maxLength: 53, description: "A Helm release's name (the add-on's name)." })),
  digest: Type.Optional(Type.String({ maxLength: 80, description: "What was last applied (sha256 of the rendering or of the chart and its values): a change upgrades." })),
  lastAppliedTime: Type.Optional(Type.String({ format: "date-time", description: "When Seedbed last installed, upgraded or repaired it." })),
  message: Type.Optional(Type.String({ maxLength: 4096, description: "Why it is not ready, or helm's error." })),
});
/** An add-on's status. */
export type AddonStatus = Type.Static<typeof AddonStatus>;

/** Scheduled etcd snapshots. */
export const Backup = Type.Object({
  schedule: Type.String({
    maxLength: 64,
    description: "Cron schedule (five fields, UTC), e.g. \"0 */6 * * *\".",
    "x-kubernetes-validations": [{ rule: "self.matches('^(@(hourly|daily|weekly|monthly))$|^([^ ]+ ){4}[^ ]+$')", messageExpression: "'must be a cron schedule of five fields such as \"0 */6 * * *\" or @hourly/@daily/@weekly/@monthly; got \\'' + self + '\\''" }],
  }),
  retention: Type.Integer({ minimum: 1, maximum: 1000, default: 7, description: "How many scheduled snapshots to keep (the newest that completed)." }),
  keep: Type.Optional(Type.Object({
    hourly: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: "Also keep the newest snapshot of each of the last N hours that have one." })),
    daily: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: "… of each of the last N days (UTC)." })),
    weekly: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: "… of each of the last N weeks (Monday to Sunday, UTC)." })),
  }, { description: "Thinning by age beyond `retention`, like Gardener's exponential policy: e.g. hourly 24, daily 7, weekly 4 keeps a month of history in about 35 snapshots." })),
  verify: Type.Optional(Type.String({
    maxLength: 64,
    default: "@weekly",
    description: "Cron schedule (five fields, UTC) of restore drills: the newest completed snapshot is restored into a scratch etcd, checked and thrown away (condition BackupVerified).",
    "x-kubernetes-validations": [{ rule: "self.matches('^(@(hourly|daily|weekly|monthly))$|^([^ ]+ ){4}[^ ]+$')", messageExpression: "'must be a cron schedule of five fields such as \"0 3 * * 0\" or @hourly/@daily/@weekly/@monthly; got \\'' + self + '\\''" }],
  })),
  storage: Type.Optional(BackupStorage("a Secret in the cluster's namespace: leave credentialsSecretRef.namespace out", "Where snapshots go; when omitted, the project's spec.backupStorage, then the seed's, then the platform's own store.")),
});

/** A CEL expression for a datastore field of a spec, its default when the datastore is left out. */
function datastoreField(spec: string, field: "members" | "storage", fallback: string): string {
  const value = `${spec}.controlPlane.datastore.${field}`;
  const present = `has(${spec}.controlPlane) && has(${spec}.controlPlane.datastore) && has(${value})`;
  // storage is an int-or-string quantity: compared as written, as a string.
  return field === "storage" ? `(${present} ? string(${value}) : ${fallback})` : `(${present} ? ${value} : ${fallback})`;
}

/** A CEL expression for a spec's datastore type, Dedicated when left out. */
function datastoreType(spec: string): string {
  return `(has(${spec}.controlPlane) && has(${spec}.controlPlane.datastore) && has(${spec}.controlPlane.datastore.type) ? ${spec}.controlPlane.datastore.type : 'Dedicated')`;
}

/** What the user asks for. Groups left out come from spec.template, then from the platform's defaults. */
export const ClusterSpec = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 16, description: "Kubernetes version, MAJOR.MINOR or MAJOR.MINOR.PATCH; upgrades go one minor at a time (condition Upgrade, status.upgrade), and only the last one can be rolled back.", "x-kubernetes-validations": kubernetesVersionRules({ downgrades: false }) })),
  template: Type.Optional(Type.String({ maxLength: 63, description: "A ClusterTemplate in the same namespace that fills what this spec leaves out.", "x-kubernetes-validations": [referenceRule("a ClusterTemplate"), immutableRule("template")] })),
  seed: Type.Optional(Type.String({ maxLength: 63, description: "The Seed hosting the control plane; with neither this nor seedSelector, the default Seed.", "x-kubernetes-validations": [referenceRule("a Seed"), immutableRule("seed", "moving a control plane between seeds is not supported yet")] })),
  seedSelector: Type.Optional(Type.Object({
    region: Type.String({ minLength: 1, maxLength: 63, description: "The spec.region of the Seeds to choose from." }),
  }, {
    description: "Let Seedbed choose the Seed among those of a region: the default Seed if it is in the region and has room, else the one hosting the fewest clusters (then by name). Not with spec.seed. Once placed (status.seed) the control plane stays there.",
    "x-kubernetes-validations": [immutableRule("seedSelector", "the control plane stays on the seed it was placed on (status.seed); create a new Cluster to use another region")],
  })),
  paused: Type.Boolean({ default: false, description: "Stops reconciliation, for maintenance." }),
  controlPlane: Type.Optional(ControlPlane),
  network: Type.Optional(Network),
  exposure: Type.Optional(Exposure),
  auth: Type.Optional(Auth),
  addons: Type.Optional(MapList(Addon, ["name"], { maxItems: 64 })),
  backup: Type.Optional(Backup),
  upgrade: Type.Optional(UpgradePolicy),
  certificates: Type.Optional(CertificatePolicy),
}, {
  "x-kubernetes-validations": [
    { rule: "!has(oldSelf.network) || has(self.network)", message: "spec.network cannot be removed once set", fieldPath: ".network" },
    { rule: "!has(oldSelf.version) || has(self.version)", message: "spec.version cannot be removed once set", fieldPath: ".version" },
    // The field rules on seed and template only see a change of a value; these see one added or removed.
    { rule: "has(self.seed) == has(oldSelf.seed)", message: "spec.seed cannot be added or removed after creation: the control plane stays on the seed it was placed on (status.seed); create a new Cluster to use another seed", fieldPath: ".seed" },
    { rule: "!has(self.seed) || !has(self.seedSelector)", message: "spec.seed and spec.seedSelector cannot both be set: name one Seed with spec.seed, or a region with spec.seedSelector.region and Seedbed chooses a Seed there", fieldPath: ".seedSelector" },
    { rule: "has(self.seedSelector) == has(oldSelf.seedSelector)", message: "spec.seedSelector cannot be added or removed after creation: the control plane stays on the seed it was placed on (status.seed); create a new Cluster to use another seed or region", fieldPath: ".seedSelector" },
    { rule: "has(self.template) == has(oldSelf.template)", message: "spec.template cannot be added or removed after creation; set the fields you want in the Cluster's own spec instead", fieldPath: ".template" },
    // Changing etcd's volumes of a running cluster needs a safe procedure (a later release); until then it is refused.
    { rule: `${datastoreType("self")} == 'Shared' || ${datastoreField("self", "storage", "'1Gi'")} == ${datastoreField("oldSelf", "storage", "'1Gi'")}`, message: "spec.controlPlane.datastore.storage of a Dedicated datastore cannot be changed after creation yet: etcd volumes are not resized; create a new Cluster for another size (a Shared datastore's storage is its limit and may change)", fieldPath: ".controlPlane" },
  ],
});

/**
 * The phases a Cluster goes through: Pending (not placed yet: its seed is
 * full), Provisioning (coming up for the first time), Running, Upgrading
 * (the control plane rolls from status.version to the spec's version),
 * Restoring (an EtcdRestore puts etcd back to a snapshot),
 * Degraded (was running, a component is not ready now), Deleting, Failed
 * (the spec cannot be built; SpecValid says why).
 */
export const clusterPhases = ["Pending", "Provisioning", "Running", "Upgrading", "Restoring", "Degraded", "Deleting", "Failed"] as const;

/** What the platform observed. */
export const ClusterStatus = StatusOf(clusterPhases, {
  clusterID: Type.Optional(Type.String({
    maxLength: maxClusterIdLength,
    description: "The cluster's identity on its seed (<project>--<cluster>; <project>-<cluster> for clusters older than this field): its directory, seed namespace cluster-<id>, process markers and machine labels. Recorded once, before anything is created, and never changed.",
  })),
  version: Type.Optional(Type.String({ description: "The version the control plane runs." })),
  endpoint: Type.Optional(Type.String({ description: "https://host:port of the cluster's API on its own port." })),
  sharedEndpoint: Type.Optional(Type.String({ description: "https://<cluster>.<project>.<domain>:port: the cluster's API through the platform's one SNI endpoint." })),
  nodeEndpoint: Type.Optional(Type.String({ description: "https://host:port where the cluster's machines reach its API, when not at its endpoint (a local cluster's loopback endpoint: machines join at this machine's address). Absent: machines use the endpoint." })),
  certificateAuthority: Type.Optional(Type.String({ maxLength: 16384, description: "PEM of the CA that signed the API server's certificate, for kubeconfigs (public, not a secret)." })),
  seed: Type.Optional(Type.String({ description: "The Seed hosting the control plane." })),
  adminKubeconfigSecretRef: Type.Optional(LocalObjectReference),
  region: Type.Optional(Type.String({ description: "The region of the Seed hosting the control plane (its spec.region)." })),
  nodes: Type.Optional(Type.Object({
    ready: Type.Integer({ minimum: 0, description: "Nodes whose Ready condition is True." }),
    total: Type.Integer({ minimum: 0, description: "Nodes registered in the cluster." }),
  }, { description: "The cluster's Nodes as its API lists them (0 of 0 while no node pool has connected to it)." })),
  lastBackupTime: Type.Optional(Type.String({ format: "date-time" })),
  lastVerifiedBackupTime: Type.Optional(Type.String({ format: "date-time", description: "When a restore drill last passed (see condition BackupVerified)." })),
  upgrade: Type.Optional(ClusterUpgradeStatus),
  controlPlaneRestarts: Type.Optional(Type.Integer({ minimum: 0, description: "Restarts of the control plane's components the driver has seen (an UpgradePlan's health gate: none during its soak)." })),
  certificates: Type.Optional(ClusterCertificatesStatus),
  controlPlane: Type.Optional(ControlPlaneStatus),
  addons: Type.Optional(MapList(AddonStatus, ["name"], { maxItems: 72, description: "Each add-on installed or being installed or removed (written by the add-on controller; condition AddonsReady)." })),
});

/** The Cluster resource schema (spec and status). */
export const ClusterSchema = Type.Object({
  spec: ClusterSpec,
  status: Type.Optional(ClusterStatus),
}, {
  "x-kubernetes-validations": [
    // Everything on the seed is named after it: a changed identity would orphan the control plane.
    { rule: "!has(oldSelf.status) || !has(oldSelf.status.clusterID) || (has(self.status) && has(self.status.clusterID) && self.status.clusterID == oldSelf.status.clusterID)", message: "status.clusterID cannot change or be removed once recorded", fieldPath: ".status.clusterID" },
    // Here, not on spec.version, because it needs status.upgrade.
    clusterRollbackRule(),
    ...clusterFirstVersionRules(),
  ],
});

/** A tenant Kubernetes cluster. */
export type Cluster = ResourceOf<"Cluster", typeof ClusterSchema>;
/** A Cluster's spec. */
export type ClusterSpec = Type.Static<typeof ClusterSpec>;
/** A Cluster's status. */
export type ClusterStatus = Type.Static<typeof ClusterStatus>;

/** Cluster as a CRD. */
export const clusterKind: KindDefinition = {
  kind: "Cluster",
  plural: "clusters",
  singular: "cluster",
  shortNames: ["sbc", "sbcluster"],
  scope: "Namespaced",
  name: { maxLength: maxNameLength.cluster, why: "so that its seed namespace cluster-<project>--<cluster> fits in 63" },
  schema: ClusterSchema,
  description: "A tenant Kubernetes cluster whose control plane Seedbed runs in a seed. Lives in its project's namespace.",
  printerColumns: [
    { name: "Version", type: "string", jsonPath: ".spec.version", description: "Kubernetes version asked for" },
    phaseColumn,
    readyColumn,
    { name: "Endpoint", type: "string", jsonPath: ".status.endpoint" },
    { name: "Nodes", type: "string", jsonPath: ".status.nodes.ready", description: "Ready nodes" },
    { name: "Running", type: "string", jsonPath: ".status.version", priority: 1, description: "Version the control plane runs" },
    { name: "APIServers", type: "string", jsonPath: ".status.controlPlane.apiServers", priority: 1, description: "kube-apiservers ready / desired" },
    { name: "Etcd", type: "string", jsonPath: ".status.controlPlane.etcd", priority: 1, description: "etcd voting members healthy / desired" },
    { name: "Datastore", type: "string", jsonPath: ".status.controlPlane.datastore.type", priority: 1, description: "Dedicated (an etcd of its own) or Shared (a prefix in its seed's shared etcd)" },
    { name: "Upgrade", type: "string", jsonPath: ".status.upgrade.step", priority: 1, description: "The step of the upgrade under way (or Done)" },
    { name: "CA Rotation", type: "string", jsonPath: ".status.certificates.rotation.phase", priority: 1, description: "The stage of the last CA rotation" },
    { name: "Certs Renew", type: "date", jsonPath: ".status.certificates.renewalTime", priority: 1, description: "When the next leaf renewal is due" },
    { name: "Seed", type: "string", jsonPath: ".status.seed", priority: 1 },
    { name: "Region", type: "string", jsonPath: ".status.region", priority: 1 },
    { name: "ID", type: "string", jsonPath: ".status.clusterID", priority: 1, description: "The cluster's identity on its seed" },
    { name: "Template", type: "string", jsonPath: ".spec.template", priority: 1 },
    { name: "Addons", type: "string", jsonPath: ".status.conditions[?(@.type==\"AddonsReady\")].status", priority: 1, description: "Every add-on installed and ready (condition AddonsReady)" },
    ageColumn,
  ],
};
