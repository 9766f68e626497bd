// The create wizard's form: its values, the checks the API would make
// anyway (cheap ones only, so the user hears sooner), and the bodies sent.
// Pure, tested in cluster-form.test.ts.

/** A DNS-1123 label, as the API's schemas require of names (packages/api schema/names.ts). */
export const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Longest names the API accepts (packages/api maxNameLength: cluster 30, nodePool 40). */
export const maxNameLength = { cluster: 30, nodePool: 40 } as const;

/** The built-in add-ons a Cluster's spec.addons takes without a chart (packages/api cluster.ts). */
export const builtInAddons = ["coredns", "metrics-server", "dashboard"] as const;

/** The add-ons the platform installs unless told not to. */
export const defaultAddons: readonly string[] = ["coredns"];

/** spec.exposure.strategy's values, with words for people. */
export const exposureOptions = [
  { value: "OwnPort", label: "Own endpoint (OwnPort)" },
  { value: "SharedSNI", label: "The platform's shared endpoint (SharedSNI)" },
] as const;

/** One node pool row of the wizard. */
export interface PoolRow {
  /** A stable key for React and for field errors. */
  key: number;
  name: string;
  replicas: string;
  /** The user typed a name: stop deriving it from the cluster's. */
  named: boolean;
}

/** What the wizard holds. */
export interface ClusterForm {
  name: string;
  project: string;
  /** "" for none. */
  template: string;
  /** "" for the template's or platform's default. */
  version: string;
  pools: PoolRow[];
  /** Built-in add-on name → wanted. */
  addons: Record<string, boolean>;
  /** "" for the template's or platform's default. */
  exposure: string;
}

/** Problems per form field: "name", "project", "version", "template", "addons", "exposure", "pool.<key>.name", "pool.<key>.replicas". */
export type FormErrors = Record<string, string>;

/** The field key of a pool row's input. */
export function poolField(key: number, part: "name" | "replicas"): string {
  return `pool.${key}.${part}`;
}

/** The name a pool row gets until the user names it: `<cluster>-workers` (or `-workers-2`…). */
export function derivedPoolName(clusterName: string, index: number): string {
  const base = clusterName === "" ? "workers" : `${clusterName}-workers`;
  return index === 0 ? base : `${base}-${index + 1}`;
}

/** Why a name is not one the API takes, in its words; undefined when it is fine. */
export function nameProblem(name: string, max: number): string | undefined {
  if (name === "") return "Give a name.";
  if (name.length > max) return `must be no more than ${max} characters (this one has ${name.length})`;
  if (!dns1123Label.test(name)) return "must be lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)";
  return undefined;
}

/** Why a replica count is not one the API takes (0 to 1000, whole). */
export function replicasProblem(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) return "must be a whole number from 0 to 1000";
  const value = Number(text);
  return value > 1000 ? "must be at most 1000" : undefined;
}

/** The checks the API makes that are cheap to make here first. */
export function validateClusterForm(form: ClusterForm): FormErrors {
  const errors: FormErrors = {};
  const name = nameProblem(form.name, maxNameLength.cluster);
  if (name !== undefined) errors.name = name;
  if (form.project === "") errors.project = "Choose a project.";
  const seen = new Set<string>();
  for (const pool of form.pools) {
    const problem = nameProblem(pool.name, maxNameLength.nodePool) ?? (seen.has(pool.name) ? "another pool has this name" : undefined);
    if (problem !== undefined) errors[poolField(pool.key, "name")] = problem;
    seen.add(pool.name);
    const replicas = replicasProblem(pool.replicas);
    if (replicas !== undefined) errors[poolField(pool.key, "replicas")] = replicas;
  }
  return errors;
}

/** spec.addons for the wanted built-ins: each one asked for, and a default one switched off kept with enabled: false. */
export function addonsOf(addons: Record<string, boolean>): { name: string; enabled?: false }[] {
  return builtInAddons.flatMap((name) => {
    const wanted = addons[name] ?? defaultAddons.includes(name);
    if (wanted) return [{ name }];
    return defaultAddons.includes(name) ? [{ name, enabled: false as const }] : [];
  });
}

/** The body of POST /projects/:p/clusters. Left-out groups come from the template, then the platform. */
export function clusterBody(form: ClusterForm): { metadata: { name: string }; spec: Record<string, unknown> } {
  const spec: Record<string, unknown> = {};
  if (form.version !== "") spec.version = form.version;
  if (form.template !== "") spec.template = form.template;
  if (form.exposure !== "") spec.exposure = { strategy: form.exposure };
  const addons = addonsOf(form.addons);
  if (addons.length > 0) spec.addons = addons;
  return { metadata: { name: form.name }, spec };
}

/** The body of POST /projects/:p/nodepools for one row of the cluster's pools. */
export function poolBody(clusterName: string, pool: Pick<PoolRow, "name" | "replicas">): { metadata: { name: string }; spec: { clusterName: string; replicas: number } } {
  return { metadata: { name: pool.name }, spec: { clusterName, replicas: Number(pool.replicas) } };
}

/**
 * The wizard field an API error's `field` (a dotted path such as
 * `metadata.name`, `spec.addons[0].name`) belongs to; undefined when no
 * input shows it (it then goes to the alert at the top).
 */
export function clusterFieldOf(apiField: string | undefined): string | undefined {
  if (apiField === undefined) return undefined;
  const path = apiField.replace(/^body\./, "");
  if (path === "metadata.name") return "name";
  if (path === "metadata.namespace") return "project";
  if (path === "spec.version") return "version";
  if (path === "spec.template") return "template";
  if (path.startsWith("spec.exposure")) return "exposure";
  if (path.startsWith("spec.addons")) return "addons";
  return undefined;
}

/** The part of a pool row an API error on a NodePool's `field` belongs to. */
export function poolPartOf(apiField: string | undefined): "name" | "replicas" | undefined {
  if (apiField === undefined) return undefined;
  const path = apiField.replace(/^body\./, "");
  if (path === "metadata.name") return "name";
  if (path === "spec.replicas" || path.startsWith("spec.autoscaling")) return "replicas";
  return undefined;
}
