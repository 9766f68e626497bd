import type { KubernetesObject } from "@kubernetes/client-node";
import { apiVersion } from "../src/index.ts";

/** The namespace every namespaced case lives in. */
export const namespace = "project-admission";

/** A manifest of one of our kinds. */
export type Manifest = KubernetesObject & { spec?: unknown };

const namespaced = (kind: string, name: string, spec: unknown): Manifest => ({ apiVersion, kind, metadata: { name, namespace }, spec });
const clusterScoped = (kind: string, name: string, spec: unknown): Manifest => ({ apiVersion, kind, metadata: { name }, spec });

/** A bad object: kube-apiserver must refuse it, naming `field` with a message matching `message`. */
export interface CreateCase {
  readonly title: string;
  readonly object: Manifest;
  readonly field: string;
  readonly message: RegExp;
}

/** A bad change to a good object. */
export interface UpdateCase {
  readonly title: string;
  readonly base: Manifest;
  /** Merged into the stored object (null deletes a key). */
  readonly patch: unknown;
  readonly field: string;
  readonly message: RegExp;
}

const c = (name: string, spec: unknown): Manifest => namespaced("Cluster", name, spec);
const np = (name: string, spec: unknown): Manifest => namespaced("NodePool", name, spec);
const pool = { clusterName: "web" };

/** Objects that must be rejected at creation. */
export const createCases: readonly CreateCase[] = [
  // Names
  { title: "a Cluster name longer than 30", object: c("a".repeat(31), {}), field: "metadata.name", message: /Too long: may not be more than 30/ },
  { title: "a Cluster name with capitals", object: c("Web", {}), field: "metadata.name", message: /a lowercase RFC 1123/ },
  { title: "a Cluster name with a dot", object: c("web.prod", {}), field: "metadata.name", message: /should match '\^\[a-z0-9\]/ },
  { title: "a NodePool name longer than 40", object: np("p".repeat(41), pool), field: "metadata.name", message: /Too long: may not be more than 40/ },
  { title: "a Project name longer than 24", object: clusterScoped("Project", "p".repeat(25), {}), field: "metadata.name", message: /Too long: may not be more than 24/ },
  { title: "a new Project name of 24", object: clusterScoped("Project", "p".repeat(24), {}), field: "metadata.name", message: /no more than 23 characters, so that the seed namespaces of its clusters/ },
  { title: "a Project name with '--'", object: clusterScoped("Project", "team--a", {}), field: "metadata.name", message: /may not contain '--' \(it separates project and cluster in the names Seedbed derives\): use single hyphens, e.g. 'team-a'/ },
  { title: "a Seed name with a dot", object: clusterScoped("Seed", "eu.west", { driver: "local" }), field: "metadata.name", message: /should match/ },
  // Required fields
  { title: "a Cluster without spec", object: { apiVersion, kind: "Cluster", metadata: { name: "nospec", namespace } }, field: "spec", message: /Required value/ },
  { title: "a NodePool without clusterName", object: np("orphan", {}), field: "spec.clusterName", message: /Required value/ },
  { title: "a Seed without driver", object: clusterScoped("Seed", "nodriver", {}), field: "spec.driver", message: /Required value/ },
  { title: "an EtcdBackup without clusterName", object: namespaced("EtcdBackup", "b", {}), field: "spec.clusterName", message: /Required value/ },
  { title: "an EtcdRestore without clusterName", object: namespaced("EtcdRestore", "r", { backupName: "b1" }), field: "spec.clusterName", message: /Required value/ },
  { title: "an OIDC config without clientID", object: c("oidc1", { auth: { oidc: { issuerURL: "https://login.example.com" } } }), field: "spec.auth.oidc.clientID", message: /Required value/ },
  // Versions
  { title: "a version that is no version", object: c("v1", { version: "latest" }), field: "spec.version", message: /must be MAJOR\.MINOR or MAJOR\.MINOR\.PATCH, such as 1\.\d+\.\d+; got 'latest'/ },
  { title: "a version that is not offered", object: c("v2", { version: "1.20.0" }), field: "spec.version", message: /Kubernetes 1\.20\.0 is not offered here; choose one of 1\.\d+/ },
  { title: "a major version 2", object: c("v3", { version: "2.0" }), field: "spec.version", message: /must be MAJOR\.MINOR/ },
  { title: "a template version that is not offered", object: namespaced("ClusterTemplate", "t1", { version: "1.x" }), field: "spec.version", message: /must be MAJOR\.MINOR/ },
  { title: "a node pool version that is not offered", object: np("oldpool", { ...pool, version: "1.21" }), field: "spec.version", message: /not offered/ },
  // Network
  { title: "a pod CIDR that is no CIDR", object: c("n1", { network: { podCIDR: "pods" } }), field: "spec.network.podCIDR", message: /must be an IPv4 CIDR such as 10\.244\.0\.0\/16; got 'pods'/ },
  { title: "a pod CIDR with host bits", object: c("n2", { network: { podCIDR: "10.244.1.0/16" } }), field: "spec.network.podCIDR", message: /must be a network address/ },
  { title: "a pod CIDR too small", object: c("n3", { network: { podCIDR: "10.244.0.0/26" } }), field: "spec.network.podCIDR", message: /out of range: use \/8 to \/24/ },
  { title: "an IPv6 pod CIDR", object: c("n4", { network: { podCIDR: "fd00::/64" } }), field: "spec.network.podCIDR", message: /IPv6 is not supported yet/ },
  { title: "a service CIDR too large", object: c("n5", { network: { serviceCIDR: "10.0.0.0/8" } }), field: "spec.network.serviceCIDR", message: /out of range: use \/12 to \/24/ },
  { title: "overlapping pod and service CIDRs", object: c("n6", { network: { podCIDR: "10.96.0.0/16", serviceCIDR: "10.96.0.0/12" } }), field: "spec.network.serviceCIDR", message: /overlap: pods and services need separate ranges/ },
  { title: "an unknown CNI", object: c("n7", { network: { cni: "weave" } }), field: "spec.network.cni", message: /supported values: "calico", "flannel", "cilium", "none"/ },
  { title: "a DNS domain with spaces", object: c("n8", { network: { dnsDomain: "my cluster" } }), field: "spec.network.dnsDomain", message: /should match/ },
  // Control plane
  { title: "an even etcd member count", object: c("e1", { controlPlane: { datastore: { members: 2 } } }), field: "spec.controlPlane.datastore.members", message: /must be 1, 3 or 5/ },
  { title: "members on a shared datastore", object: c("e2", { controlPlane: { datastore: { type: "Shared", members: 3 } } }), field: "spec.controlPlane.datastore.members", message: /only to a Dedicated datastore/ },
  { title: "an unknown datastore type", object: c("e3", { controlPlane: { datastore: { type: "Remote" } } }), field: "spec.controlPlane.datastore.type", message: /supported values: "Dedicated", "Shared"/ },
  { title: "no API server replicas", object: c("e4", { controlPlane: { replicas: 0 } }), field: "spec.controlPlane.replicas", message: /should be greater than or equal to 1/ },
  { title: "too many API server replicas", object: c("e5", { controlPlane: { replicas: 9 } }), field: "spec.controlPlane.replicas", message: /should be less than or equal to 5/ },
  { title: "a storage size that is no quantity", object: c("e6", { controlPlane: { datastore: { storage: "lots" } } }), field: "spec.controlPlane.datastore.storage", message: /should match/ },
  // Exposure, auth, add-ons, backup
  { title: "an unknown exposure strategy", object: c("x1", { exposure: { strategy: "Ingress" } }), field: "spec.exposure.strategy", message: /supported values: "OwnPort", "SharedSNI"/ },
  { title: "an allowed source that is no CIDR", object: c("x2", { exposure: { allowedSourceRanges: ["everyone"] } }), field: "spec.exposure.allowedSourceRanges[0]", message: /must be a CIDR such as/ },
  { title: "a plain-http OIDC issuer", object: c("x3", { auth: { oidc: { issuerURL: "http://login.example.com", clientID: "k" } } }), field: "spec.auth.oidc.issuerURL", message: /must be an https:\/\/ URL/ },
  // A cluster's own issuer must not be able to assert the platform's users (alice@example.com) or system:masters.
  { title: "an own issuer without a user name prefix", object: c("x10", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", usernamePrefix: "" } } }), field: "spec.auth.oidc.usernamePrefix", message: /must not be empty: without a prefix the cluster's own issuer could assert the platform's users and groups \(e\.g\. a project owner's e-mail\); use e\.g\. "oidc:"/ },
  { title: "an own issuer without a groups prefix", object: c("x11", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", groupsPrefix: "" } } }), field: "spec.auth.oidc.groupsPrefix", message: /must not be empty/ },
  { title: "an own issuer whose groups are system:", object: c("x12", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", groupsPrefix: "system:" } } }), field: "spec.auth.oidc.groupsPrefix", message: /must not start with system: or seedbed:, which are reserved for Kubernetes \(system:masters\)/ },
  { title: "an own issuer whose groups are the platform's", object: c("x13", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", groupsPrefix: "seedbed:" } } }), field: "spec.auth.oidc.groupsPrefix", message: /must not start with system: or seedbed:/ },
  { title: "an own issuer whose user name prefix has no separator", object: c("x14", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", usernamePrefix: "ali" } } }), field: "spec.auth.oidc.usernamePrefix", message: /must end with ":" \("ali:"\)/ },
  { title: "a template whose issuer has no user name prefix", object: namespaced("ClusterTemplate", "t2", { auth: { oidc: { issuerURL: "https://dex.example.com", clientID: "k", usernamePrefix: "" } } }), field: "spec.auth.oidc.usernamePrefix", message: /must not be empty/ },
  { title: "an unknown built-in add-on", object: c("x4", { addons: [{ name: "prometheus" }] }), field: "spec.addons[0].name", message: /unknown built-in add-on 'prometheus': use coredns, metrics-server or dashboard \(or calico, flannel, cilium to set the CNI's chart\), or give a helm chart/ },
  { title: "a Helm add-on whose name is too long for a release", object: c("x6", { addons: [{ name: "a".repeat(54), helm: { repository: "https://charts.example.com", chart: "x", version: "1" } }] }), field: "spec.addons[0].name", message: /helm limits to 53 characters/ },
  { title: "a Helm add-on from no URL", object: c("x5", { addons: [{ name: "x", helm: { repository: "charts", chart: "x", version: "1" } }] }), field: "spec.addons[0].helm.repository", message: /must be a chart repository URL/ },
  { title: "a Helm add-on's CA that is no PEM", object: c("x5c", { addons: [{ name: "x", helm: { repository: "oci://registry.example.com/charts", chart: "x", version: "1", caBundle: "MIIB…" } }] }), field: "spec.addons[0].helm.caBundle", message: /must be PEM certificates/ },
  { title: "a Helm add-on's CA for an http:// repository", object: c("x5h", { addons: [{ name: "x", helm: { repository: "http://charts.example.com", chart: "x", version: "1", caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" } }] }), field: "spec.addons[0].helm.caBundle", message: /an http:\/\/ repository has no TLS to verify: use https:\/\/ or remove caBundle/ },
  { title: "a cron schedule of words", object: c("x6", { backup: { schedule: "every day" } }), field: "spec.backup.schedule", message: /must be a cron schedule of five fields/ },
  { title: "a cluster's store credentials in another namespace", object: c("x6s", { backup: { schedule: "@daily", storage: { s3: { endpoint: "https://s3.example.com", bucket: "snaps", credentialsSecretRef: { namespace: "other", name: "s3", key: "credentials" } } } } }), field: "spec.backup.storage.s3.credentialsSecretRef", message: /must name a Secret in the cluster's namespace: leave credentialsSecretRef.namespace out/ },
  { title: "a project's store credentials in another namespace", object: clusterScoped("Project", "stores", { backupStorage: { s3: { endpoint: "https://s3.example.com", bucket: "snaps", credentialsSecretRef: { namespace: "other", name: "s3", key: "credentials" } } } }), field: "spec.backupStorage.s3.credentialsSecretRef", message: /must name a Secret in the project's namespace \(project-<name>\)/ },
  { title: "a seed's store credentials without a namespace", object: clusterScoped("Seed", "stores", { driver: "local", backupStorage: { s3: { endpoint: "https://s3.example.com", bucket: "snaps", credentialsSecretRef: { name: "s3", key: "credentials" } } } }), field: "spec.backupStorage.s3.credentialsSecretRef", message: /credentialsSecretRef.namespace is required: a Seed has no namespace of its own/ },
  { title: "a drill schedule of words", object: c("x6v", { backup: { schedule: "@daily", verify: "sometimes" } }), field: "spec.backup.verify", message: /must be a cron schedule of five fields such as "0 3 \* \* 0".*got 'sometimes'/ },
  { title: "a retention of zero", object: c("x7", { backup: { schedule: "@daily", retention: 0 } }), field: "spec.backup.retention", message: /greater than or equal to 1/ },
  { title: "a template name with an underscore", object: c("x8", { template: "small_ha" }), field: "spec.template", message: /must name a ClusterTemplate: a DNS-1123 label/ },
  { title: "paused as a string", object: c("x9", { paused: "yes" }), field: "spec.paused", message: /must be of type boolean/ },
  // Node pools
  { title: "negative replicas", object: np("r1", { ...pool, replicas: -1 }), field: "spec.replicas", message: /greater than or equal to 0/ },
  { title: "min above max", object: np("r2", { ...pool, replicas: 5, autoscaling: { minReplicas: 5, maxReplicas: 3 } }), field: "spec.autoscaling.minReplicas", message: /minReplicas must not exceed maxReplicas/ },
  { title: "replicas outside the autoscaling bounds", object: np("r3", { ...pool, replicas: 20, autoscaling: { minReplicas: 1, maxReplicas: 10 } }), field: "spec.replicas", message: /must lie between autoscaling.minReplicas and autoscaling.maxReplicas/ },
  { title: "an unknown provider", object: np("r4", { ...pool, provider: { type: "gcp" } }), field: "spec.provider.type", message: /supported values: "kwok", "local", "openstack", "aws"/ },
  { title: "credentials on a local pool", object: np("r8", { ...pool, provider: { type: "local", credentialsSecretRef: { name: "x" } } }), field: "spec.provider.credentialsSecretRef", message: /a local node pool needs no credentials: remove provider.credentialsSecretRef/ },
  { title: "an openstack pool without its settings", object: np("r5", { ...pool, provider: { type: "openstack" } }), field: "spec.provider", message: /needs provider.openstack \(flavor, image, network\) and provider.credentialsSecretRef/ },
  { title: "aws settings on a kwok pool", object: np("r6", { ...pool, provider: { type: "kwok", aws: { region: "eu-west-1", instanceType: "m5.large", ami: "ami-0123456789abcdef0", subnetID: "subnet-01234567" } } }), field: "spec.provider.aws", message: /applies only to type aws/ },
  { title: "an AMI id of the wrong form", object: np("r7", { ...pool, provider: { type: "aws", credentialsSecretRef: { name: "aws" }, aws: { region: "eu-west-1", instanceType: "m5.large", ami: "ubuntu", subnetID: "subnet-01234567" } } }), field: "spec.provider.aws.ami", message: /should match '\^ami-/ },
  { title: "a CPU count in words", object: np("r8", { ...pool, machineTemplate: { cpu: "four" } }), field: "spec.machineTemplate.cpu", message: /should match/ },
  { title: "a drain timeout in prose", object: np("r9", { ...pool, drainTimeout: "5 minutes" }), field: "spec.drainTimeout", message: /should match/ },
  { title: "a taint with an unknown effect", object: np("r10", { ...pool, machineTemplate: { taints: [{ key: "k", effect: "Evict" }] } }), field: "spec.machineTemplate.taints[0].effect", message: /supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"/ },
  // Placement
  { title: "a seed and a region both", object: c("seedregion", { seed: "eu-1", seedSelector: { region: "eu" } }), field: "spec.seedSelector", message: /spec\.seed and spec\.seedSelector cannot both be set: name one Seed with spec\.seed, or a region with spec\.seedSelector\.region/ },
  { title: "a seed selector without region", object: c("noregion", { seedSelector: {} }), field: "spec.seedSelector.region", message: /Required value/ },
  { title: "an empty region", object: c("emptyregion", { seedSelector: { region: "" } }), field: "spec.seedSelector.region", message: /at least 1 chars long/ },
  // Projects and seeds
  { title: "members but no owner", object: clusterScoped("Project", "noowner", { members: [{ name: "bob", role: "viewer" }] }), field: "spec.members", message: /needs at least one owner/ },
  { title: "an unknown role", object: clusterScoped("Project", "badrole", { members: [{ name: "alice", role: "admin" }] }), field: "spec.members[0].role", message: /supported values: "owner", "editor", "viewer"/ },
  { title: "a negative quota", object: clusterScoped("Project", "badquota", { quota: { clusters: -1 } }), field: "spec.quota.clusters", message: /greater than or equal to 0/ },
  { title: "a kubeconfig on a local seed", object: clusterScoped("Seed", "localkc", { driver: "local", kubeconfigSecretRef: { name: "kc", namespace: "x" } }), field: "spec.kubeconfigSecretRef", message: /applies only to a kubernetes seed/ },
  { title: "a seed kubeconfig without namespace", object: clusterScoped("Seed", "nons", { driver: "kubernetes", kubeconfigSecretRef: { name: "kc" } }), field: "spec.kubeconfigSecretRef", message: /namespace is required: a Seed has no namespace of its own/ },
  { title: "an unknown seed driver", object: clusterScoped("Seed", "vm", { driver: "vmware" }), field: "spec.driver", message: /supported values: "local", "kubernetes"/ },
  // Policies
  { title: "a selector In without values", object: namespaced("ClusterPolicy", "p1", { clusterSelector: { matchExpressions: [{ key: "env", operator: "In" }] } }), field: "spec.clusterSelector.matchExpressions[0]", message: /In and NotIn need at least one value/ },
  { title: "a Role binding without namespace", object: namespaced("ClusterPolicy", "p2", { clusterSelector: {}, bindings: [{ name: "b", roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "User", name: "u" }] }] }), field: "spec.bindings[0].roleRef", message: /a binding to a Role needs a namespace/ },
  { title: "a ServiceAccount subject without namespace", object: namespaced("ClusterPolicy", "p3", { clusterSelector: {}, bindings: [{ name: "b", roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa" }] }] }), field: "spec.bindings[0].subjects[0]", message: /a ServiceAccount subject needs its namespace/ },
  { title: "an unknown RBAC verb", object: namespaced("ClusterPolicy", "p4", { clusterSelector: {}, roles: [{ name: "r", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["fly"] }] }] }), field: "spec.roles[0].rules[0].verbs[0]", message: /supported values: "get"/ },
  { title: "a policy without selector", object: namespaced("ClusterPolicy", "p5", {}), field: "spec.clusterSelector", message: /Required value/ },
];

const baseCluster = c("base", { version: "1.37.1", template: "small", seed: "local", network: { podCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12", cni: "calico" } });

/** Changes that must be rejected on update. */
export const updateCases: readonly UpdateCase[] = [
  { title: "a version downgrade", base: baseCluster, patch: { spec: { version: "1.37.0" } }, field: "spec.version", message: /cannot downgrade from 1\.37\.1 to 1\.37\.0: Kubernetes supports upgrades only/ },
  { title: "skipping a minor", base: baseCluster, patch: { spec: { version: "1.39.0" } }, field: "spec.version", message: /cannot go from 1\.37\.1 to 1\.39\.0 in one step: upgrade one minor at a time/ },
  { title: "removing the version", base: baseCluster, patch: { spec: { version: null } }, field: "spec.version", message: /cannot be removed once set/ },
  { title: "a new pod CIDR", base: baseCluster, patch: { spec: { network: { podCIDR: "10.245.0.0/16" } } }, field: "spec.network.podCIDR", message: /podCIDR cannot be changed after creation/ },
  { title: "a new service CIDR", base: baseCluster, patch: { spec: { network: { serviceCIDR: "10.112.0.0/12" } } }, field: "spec.network.serviceCIDR", message: /serviceCIDR cannot be changed after creation/ },
  { title: "a new CNI", base: baseCluster, patch: { spec: { network: { cni: "cilium" } } }, field: "spec.network.cni", message: /changing the CNI of a running cluster breaks pod networking/ },
  { title: "removing the network", base: baseCluster, patch: { spec: { network: null } }, field: "spec.network", message: /spec.network cannot be removed once set/ },
  { title: "another template", base: baseCluster, patch: { spec: { template: "large" } }, field: "spec.template", message: /template cannot be changed after creation/ },
  { title: "another seed", base: baseCluster, patch: { spec: { seed: "eu-west" } }, field: "spec.seed", message: /moving a control plane between seeds is not supported yet/ },
  { title: "a node pool moved to another cluster", base: np("move", pool), patch: { spec: { clusterName: "other" } }, field: "spec.clusterName", message: /clusterName cannot be changed after creation/ },
  { title: "a node pool moved to another provider", base: np("switch", pool), patch: { spec: { provider: { type: "openstack", credentialsSecretRef: { name: "os" }, openstack: { flavor: "m1", image: "ubuntu", network: "net" } } } }, field: "spec.provider.type", message: /provider.type cannot be changed after creation/ },
  { title: "a seed with another driver", base: clusterScoped("Seed", "switchdriver", { driver: "local" }), patch: { spec: { driver: "kubernetes", kubeconfigSecretRef: { name: "kc", namespace: "x" } } }, field: "spec.driver", message: /driver cannot be changed after creation/ },
  { title: "an edited EtcdBackup", base: namespaced("EtcdBackup", "once", { clusterName: "web" }), patch: { spec: { clusterName: "other" } }, field: "spec", message: /spec cannot be changed after creation; create another EtcdBackup/ },
  // Placement and datastore: added or removed is refused like changed (issue 12).
  { title: "removing the seed", base: baseCluster, patch: { spec: { seed: null } }, field: "spec.seed", message: /spec.seed cannot be added or removed after creation: the control plane stays on the seed it was placed on/ },
  { title: "adding a seed", base: c("unplaced", { version: "1.37.1" }), patch: { spec: { seed: "local" } }, field: "spec.seed", message: /spec.seed cannot be added or removed after creation/ },
  { title: "another region", base: c("regional", { version: "1.37.1", seedSelector: { region: "eu" } }), patch: { spec: { seedSelector: { region: "us" } } }, field: "spec.seedSelector", message: /seedSelector cannot be changed after creation; the control plane stays on the seed it was placed on/ },
  { title: "removing the region", base: c("unregioned", { version: "1.37.1", seedSelector: { region: "eu" } }), patch: { spec: { seedSelector: null } }, field: "spec.seedSelector", message: /spec\.seedSelector cannot be added or removed after creation/ },
  { title: "adding a region", base: c("lateregion", { version: "1.37.1" }), patch: { spec: { seedSelector: { region: "eu" } } }, field: "spec.seedSelector", message: /spec\.seedSelector cannot be added or removed after creation/ },
  { title: "removing the template", base: baseCluster, patch: { spec: { template: null } }, field: "spec.template", message: /spec.template cannot be added or removed after creation; set the fields you want in the Cluster's own spec/ },
  { title: "adding a template", base: c("untemplated", { version: "1.37.1" }), patch: { spec: { template: "small" } }, field: "spec.template", message: /spec.template cannot be added or removed after creation/ },
  { title: "a larger etcd volume", base: c("storage", { controlPlane: { datastore: { storage: "1Gi" } } }), patch: { spec: { controlPlane: { datastore: { storage: "5Gi" } } } }, field: "spec.controlPlane", message: /datastore.storage of a Dedicated datastore cannot be changed after creation yet: etcd volumes are not resized/ },
  { title: "an edited EtcdRestore", base: namespaced("EtcdRestore", "onceonly", { clusterName: "web", backupName: "b1" }), patch: { spec: { backupName: "b2" } }, field: "spec", message: /spec cannot be changed after creation; create another EtcdRestore/ },
];
