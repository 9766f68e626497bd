import { projectOfNamespace, type UpgradePlan } from "@seedbed/api";
import { age } from "../../output.ts";

/** One selected cluster in a plan's status. */
type Entry = NonNullable<NonNullable<UpgradePlan["status"]>["clusters"]>[number];

/** Columns of `seedbed upgrade plan list`. */
export const planTableHeader = ["NAME", "VERSION", "PHASE", "WAVE", "WAVES", "SELECTED", "UPGRADED", "FAILED", "AGE"] as const;

/** The rows of `seedbed upgrade plan list`, by name. Pure. */
export function planRows(plans: readonly UpgradePlan[], now: Date): string[][] {
  return [...plans]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((p) => {
      const s = p.status;
      const n = (value: number | undefined): string => (value === undefined ? "-" : String(value));
      return [p.metadata.name ?? "", p.spec.version, s?.phase ?? "Pending", n(s?.currentWave), n(s?.waves), n(s?.counts?.selected), n(s?.counts?.upgraded), n(s?.counts?.failed), age(p.metadata.creationTimestamp, now)];
    });
}

/** A cluster as the CLI names it elsewhere: project/name. */
export function clusterLabel(entry: Pick<Entry, "namespace" | "name">): string {
  return `${projectOfNamespace(entry.namespace)}/${entry.name}`;
}

/** Where the plan stands, in a line: phase, wave, soak end. Pure. */
export function summaryLine(plan: UpgradePlan): string {
  const s = plan.status;
  const phase = s?.phase ?? "Pending (not seen by the operator yet)";
  const wave = s?.currentWave === undefined || s.waves === undefined ? "" : `, wave ${String(s.currentWave)} of ${String(s.waves)}${plan.spec.canary > 0 ? " (0 is the canary)" : ""}`;
  const soak = s?.phase === "Soaking" && s.soakUntil !== undefined ? `, soaks until ${s.soakUntil}` : "";
  const counts = s?.counts === undefined ? "" : `: ${String(s.counts.upgraded)} of ${String(s.counts.selected)} upgraded, ${String(s.counts.upgrading)} upgrading, ${String(s.counts.pending)} pending, ${String(s.counts.failed)} failed`;
  return `phase ${phase}${wave}${soak}${counts}`;
}

/** What the plan asks for, in a line. Pure. */
export function specLine(plan: UpgradePlan): string {
  const s = plan.spec;
  const labels = Object.entries(s.clusterSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (s.clusterSelector?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values === undefined ? "" : ` (${e.values.join(",")})`}`);
  const selector = [...labels, ...expressions].join(",") || "all clusters";
  const projects = s.projects === undefined || s.projects.length === 0 ? "all projects" : `projects ${s.projects.join(", ")}`;
  return `selector ${selector} in ${projects}; canary ${String(s.canary)}, batch ${s.batchSize}, soak ${s.soak}, maxFailures ${String(s.maxFailures)}, onFailure ${s.onFailure}${s.paused ? "; paused" : ""}`;
}

/**
 * What `seedbed upgrade plan get NAME` prints: the plan's version, phase
 * and counts, its Ready condition, what it asks for, then each selected
 * cluster by wave with its state and message. Pure.
 */
export function planDetails(plan: UpgradePlan): { lines: string[]; header: readonly string[]; rows: string[][] } {
  const ready = plan.status?.conditions?.find((c) => c.type === "Ready");
  const lines = [
    `UpgradePlan ${plan.metadata.name ?? "?"} to ${plan.spec.version}: ${summaryLine(plan)}`,
    ...(ready === undefined ? [] : [`Ready ${ready.status} (${ready.reason})${ready.message === "" ? "" : `: ${ready.message}`}`]),
    `It upgrades: ${specLine(plan)}`,
  ];
  const rows = (plan.status?.clusters ?? []).map((e) => [String(e.wave), clusterLabel(e), e.state, e.from ?? "-", e.message ?? ""]);
  return { lines, header: ["WAVE", "CLUSTER", "STATE", "FROM", "MESSAGE"], rows };
}

/** The clusters whose state changed between two readings of a plan, as lines. Pure. */
export function changedClusters(before: UpgradePlan | undefined, after: UpgradePlan): string[] {
  const old = new Map((before?.status?.clusters ?? []).map((e) => [clusterLabel(e), e.state]));
  return (after.status?.clusters ?? [])
    .filter((e) => old.get(clusterLabel(e)) !== e.state)
    .map((e) => `  ${clusterLabel(e)} (wave ${String(e.wave)}): ${e.state}${e.message === undefined ? "" : ` — ${e.message}`}`);
}

/** Whether a plan has ended: Completed, or Halted with nothing still upgrading. Pure. */
export function planEnded(plan: UpgradePlan): "Completed" | "Halted" | undefined {
  const phase = plan.status?.phase;
  if (phase === "Completed") return "Completed";
  if (phase === "Halted" && (plan.status?.counts?.upgrading ?? 0) === 0) return "Halted";
  return undefined;
}
