import type { Cluster } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { age, outputFormat, printData, printTable } from "../../output.ts";
import { readCluster } from "./clusters-api.ts";
import { controlPlaneLines } from "./control-plane.ts";

/** Options of `seedbed cluster get`. */
export interface GetClusterOptions extends GlobalOptions {
  readonly output?: string;
}

/** Shows one cluster: version, endpoint, phase, its control plane and etcd members, and each condition. */
export async function getCluster(name: string, options: GetClusterOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  if (format !== "table") {
    printData(ctx.out, format, cluster);
    return;
  }
  const status = cluster.status;
  ctx.out.write(
    [
      `Name:      ${name}`,
      `Project:   ${ctx.project}`,
      `Version:   ${cluster.spec.version ?? "(from template or default)"}${status?.version !== undefined && status.version !== cluster.spec.version ? ` (running ${status.version})` : ""}`,
      ...upgradeLines(cluster),
      `Phase:     ${status?.phase ?? "Pending"}`,
      `Endpoint:  ${status?.endpoint ?? "(not yet)"}`,
      `Seed:      ${status?.seed ?? cluster.spec.seed ?? (cluster.spec.seedSelector === undefined ? "(default)" : `(one of region ${cluster.spec.seedSelector.region}, not chosen yet)`)}`,
      `Age:       ${age(cluster.metadata.creationTimestamp)}`,
      ...controlPlaneLines(cluster),
      `Conditions:`,
      "",
    ].join("\n"),
  );
  const conditions = status?.conditions ?? [];
  if (conditions.length === 0) ctx.out.write("  (none yet: the platform has not reconciled this cluster)\n");
  else printTable(ctx.out, ["  TYPE", "STATUS", "REASON", "MESSAGE"], conditions.map((c) => [`  ${c.type}`, c.status, c.reason, c.message]));
}

/**
 * The lines of `cluster get` about the cluster's last upgrade (or its
 * rollback): phase, from → to, the step and its message, the pre-upgrade
 * snapshot and the restore a rollback made. None when it has had none. Pure.
 */
export function upgradeLines(cluster: Cluster): string[] {
  const upgrade = cluster.status?.upgrade;
  if (upgrade === undefined) return [];
  const message = upgrade.message === undefined || upgrade.message === "" ? "" : `: ${upgrade.message}`;
  const when = upgrade.completionTime === undefined ? `started ${upgrade.startedTime}` : `finished ${upgrade.completionTime}`;
  return [
    `Upgrade:   ${upgrade.phase} ${upgrade.from} → ${upgrade.to}, step ${upgrade.step}${message} (${when})`,
    ...(upgrade.snapshot === undefined ? [] : [`           pre-upgrade snapshot ${upgrade.snapshot}${upgrade.restore === undefined ? "" : `, restored by ${upgrade.restore}`}`]),
    ...(upgrade.plan === undefined ? [] : [`           started by UpgradePlan ${upgrade.plan}`]),
  ];
}
