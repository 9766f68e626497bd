import { projectOfNamespace, type Cluster } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { age, outputFormat, printData, printTable } from "../../output.ts";
import { listClusters } from "./clusters-api.ts";
import { labelCells, labelColumnHeader, labelColumnsFlag, parseLabelSelector, selectorText } from "./selector.ts";

/** Options of `seedbed cluster list`. */
export interface ListClustersOptions extends GlobalOptions {
  readonly output?: string;
  /** -l: a label selector, e.g. env=prod,region in (eu,us). */
  readonly selector?: string;
  /** -L (repeatable, comma-separated): label keys shown as columns. */
  readonly labelColumns?: readonly string[];
  /** -A: every project's clusters the caller may list. */
  readonly allProjects?: boolean;
}

/** What a table of clusters shows besides the fixed columns. */
export interface ClusterTableLayout {
  readonly allProjects: boolean;
  readonly labelKeys: readonly string[];
}

/** The header of `cluster list`: PROJECT first with -A, the label columns last (as kubectl -L puts them). Pure. */
export function clusterTableHeader(layout: ClusterTableLayout): string[] {
  return [...(layout.allProjects ? ["PROJECT"] : []), "NAME", "VERSION", "PHASE", "READY", "ENDPOINT", "AGE", ...layout.labelKeys.map(labelColumnHeader)];
}

/** One row of `cluster list`. Pure but for the age, which is relative to `now`. */
export function clusterRow(c: Cluster, layout: ClusterTableLayout, now: Date = new Date()): string[] {
  return [
    ...(layout.allProjects ? [projectOfNamespace(c.metadata.namespace ?? "")] : []),
    c.metadata.name ?? "",
    c.status?.version ?? c.spec.version ?? "",
    c.status?.phase ?? "Pending",
    c.status?.conditions?.find((x) => x.type === "Ready")?.status ?? "Unknown",
    c.status?.endpoint ?? "",
    age(c.metadata.creationTimestamp, now),
    ...labelCells(c.metadata.labels, layout.labelKeys),
  ];
}

/** Lists a project's clusters (or every project's with -A), those a label selector matches, as a table, JSON or YAML. */
export async function listClustersCommand(options: ListClustersOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const labelSelector = options.selector === undefined ? undefined : selectorText(parseLabelSelector(options.selector));
  const layout: ClusterTableLayout = { allProjects: options.allProjects === true, labelKeys: labelColumnsFlag(options.labelColumns) };
  const ctx = commandContext(options, out);
  const clusters = await listClusters(ctx, { allProjects: layout.allProjects, ...(labelSelector === undefined ? {} : { labelSelector }) }).catch((error: unknown) => {
    throw explain(error, { kind: "clusters", ...(layout.allProjects ? {} : { project: ctx.project }), server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, { apiVersion: "v1", kind: "List", items: clusters });
    return;
  }
  if (clusters.length === 0) {
    const where = layout.allProjects ? "No clusters in any project you can list" : `No clusters in project ${ctx.project}`;
    ctx.out.write(labelSelector === undefined ? `${where}. Create one: seedbed cluster create NAME --project ${ctx.project} --wait\n` : `${where} match ${labelSelector}.\n`);
    return;
  }
  printTable(ctx.out, clusterTableHeader(layout), clusters.map((c) => clusterRow(c, layout)));
}
