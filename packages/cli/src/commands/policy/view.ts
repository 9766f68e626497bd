import { compareByConcern, projectOfNamespace, type ClusterPolicy, type LabelSelector, type PolicyClusterEntry } from "@seedbed/api";
import { age, tableLines } from "../../output.ts";

/** The columns of `seedbed policy list`. */
export const policyTableHeader = ["NAMESPACE", "NAME", "SELECTED", "IN SYNC", "CONFLICTED", "FAILED", "PHASE", "AGE"] as const;

const count = (n: number | undefined): string => String(n ?? 0);

/** The rows of `seedbed policy list`. Pure but for ages, relative to `now`. */
export function policyRows(policies: readonly ClusterPolicy[], now: Date = new Date()): string[][] {
  return policies.map((p) => [
    p.metadata.namespace ?? "",
    p.metadata.name ?? "",
    count(p.status?.selectedClusters),
    count(p.status?.inSyncClusters),
    count(p.status?.conflictedClusters),
    count(p.status?.failedClusters),
    p.status?.phase ?? "Pending",
    age(p.metadata.creationTimestamp, now),
  ]);
}

/** A label selector in Kubernetes' syntax (env=prod,region in (eu,us)); `every` when it matches everything. Pure. */
export function selectorLine(selector: LabelSelector | undefined, every: string): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    switch (e.operator) {
      case "Exists":
        return e.key;
      case "DoesNotExist":
        return `!${e.key}`;
      default:
        return `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(",")})`;
    }
  });
  const all = [...labels, ...expressions];
  return all.length === 0 ? every : all.join(",");
}

const plural = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? "" : "s"}`;

/** The counts of a policy's status on one line. Pure. */
export function countsLine(policy: ClusterPolicy): string {
  const s = policy.status;
  return `${count(s?.selectedClusters)} selected, ${count(s?.inSyncClusters)} in sync, ${count(s?.pendingClusters)} pending, ${count(s?.driftedClusters)} drifted, ${count(s?.conflictedClusters)} conflicted, ${count(s?.failedClusters)} failed`;
}

/** What `seedbed policy get NAME` prints as its table view: what the policy keeps, where, and how it stands. Pure but for the age. */
export function policyLines(policy: ClusterPolicy, now: Date = new Date()): string[] {
  const { spec, status } = policy;
  return [
    `Name:        ${policy.metadata.name ?? ""}`,
    `Namespace:   ${policy.metadata.namespace ?? ""}`,
    `Clusters:    ${selectorLine(spec.clusterSelector, "every cluster in its reach")}`,
    ...(spec.projectSelector === undefined ? [] : [`Projects:    ${selectorLine(spec.projectSelector, "every project")}`]),
    `Keeps:       ${keepsLine(spec)}`,
    `Conflicts:   ${conflictsLine(policy)}`,
    `Prune:       ${spec.prune ? "yes: what it stops keeping is deleted" : "no: what it stops keeping is orphaned"}`,
    `Phase:       ${phaseLine(policy)}`,
    `Status:      ${countsLine(policy)}`,
    `Generation:  ${String(policy.metadata.generation ?? 0)}${status?.observedGeneration === undefined ? "" : ` (status of ${String(status.observedGeneration)})`}`,
    `Age:         ${age(policy.metadata.creationTimestamp, now)}`,
  ];
}

function keepsLine(spec: ClusterPolicy["spec"]): string {
  return [plural(spec.namespaces?.length ?? 0, "namespace"), plural(spec.roles?.length ?? 0, "role"), plural(spec.bindings?.length ?? 0, "binding"), plural(spec.manifests?.length ?? 0, "manifest")].join(", ");
}

/** The policy's conflict rules, with the defaults of the CRD's descriptions. */
function conflictsLine(policy: ClusterPolicy): string {
  const conflicts = policy.spec.conflicts;
  return `existing ${conflicts?.existing ?? "Report"}, changed ${conflicts?.changed ?? "Overwrite"}${hasOverrides(policy) ? " (some entries say otherwise)" : ""}`;
}

/** The phase, with the Ready condition's reason and message. */
function phaseLine(policy: ClusterPolicy): string {
  const ready = policy.status?.conditions?.find((c) => c.type === "Ready");
  const why = ready === undefined ? "" : ` (${ready.reason}${ready.message === "" ? "" : `: ${ready.message}`})`;
  return `${policy.status?.phase ?? "Pending"}${why}`;
}

function hasOverrides(policy: ClusterPolicy): boolean {
  const { spec } = policy;
  return [...(spec.namespaces ?? []), ...(spec.roles ?? []), ...(spec.bindings ?? [])].some((entry) => entry.conflicts !== undefined);
}

/** The name of an object a problem is about: Kind namespace/name. */
function objectName(problem: PolicyClusterEntry["problems"][number]): string {
  return `${problem.kind} ${problem.namespace === undefined ? "" : `${problem.namespace}/`}${problem.name}`;
}

/**
 * What `seedbed policy status NAME` prints: the counts, the offenders the
 * policy's status names, each cluster's state (worst first) and the
 * problems the agents reported. Clusters outside the policy's namespace
 * (a platform policy's) are named project/cluster. Pure but for ages.
 */
export function statusLines(policy: ClusterPolicy, entries: readonly PolicyClusterEntry[], now: Date = new Date()): string[] {
  const home = policy.metadata.namespace ?? "";
  const clusterName = (namespace: string, name: string): string => (namespace === home ? name : `${projectOfNamespace(namespace)}/${name}`);
  const offenders = policy.status?.offenders ?? [];
  const sorted = [...entries].sort(compareByConcern);
  const lines = [
    `Policy ${home}/${policy.metadata.name ?? ""} (generation ${String(policy.metadata.generation ?? 0)}): ${policy.status?.phase ?? "Pending"}`,
    `Clusters: ${countsLine(policy)}`,
    "",
  ];
  if (offenders.length > 0) {
    lines.push("Worst off (the policy's status):", ...offenders.map((o) => `  ${clusterName(o.namespace, o.name)}  ${o.state}${o.message === undefined ? "" : `: ${o.message}`}`), "");
  }
  if (sorted.length === 0) {
    lines.push("No cluster reports on this policy yet (no ClusterSync lists it: the operator has not matched it, or its selector matches no cluster).");
    return lines;
  }
  const rows = sorted.map((e) => [
    clusterName(e.namespace, e.cluster),
    e.state,
    String(e.objects),
    String(e.problemCount),
    e.lastSyncTime === undefined ? "-" : age(e.lastSyncTime, now),
    e.message ?? "",
  ]);
  lines.push(...tableLines(["CLUSTER", "STATE", "OBJECTS", "PROBLEMS", "SYNCED", "NOTE"], rows));
  const problems = sorted.filter((e) => e.problems.length > 0);
  if (problems.length > 0) {
    lines.push("", "Problems:");
    for (const e of problems) {
      for (const p of e.problems) lines.push(`  ${clusterName(e.namespace, e.cluster)}  ${p.reason}  ${objectName(p)}: ${p.message}`);
      const more = e.problemCount - e.problems.length;
      if (more > 0) lines.push(`  ${clusterName(e.namespace, e.cluster)}  … and ${String(more)} more`);
    }
  }
  return lines;
}
