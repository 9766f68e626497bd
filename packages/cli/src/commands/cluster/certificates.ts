import { currentClusterCA, outstandingKubeconfigs, trustsCA, type ClusterCertificatesStatus, type KubeconfigRecord } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { outputFormat, printData, printTable } from "../../output.ts";
import { readCluster } from "./clusters-api.ts";
import { readLedger } from "./ledger.ts";

/** Options of `seedbed cluster certificates` and `seedbed cluster kubeconfigs`. */
export interface CertificatesOptions extends GlobalOptions {
  readonly output?: string;
}

/** The rows of the authorities table. Pure. */
export function authorityRows(certificates: ClusterCertificatesStatus): string[][] {
  return (certificates.authorities ?? []).map((a) => [
    `  ${a.name}`,
    a.fingerprint,
    a.notAfter ?? "-",
    a.previous === undefined ? "-" : `${a.previous.fingerprint}${a.previous.notAfter === undefined ? "" : ` (until ${a.previous.notAfter})`}`,
  ]);
}

/** The lines about the CA rotation: the current (or last) one, and the schedule. Pure. */
export function rotationLines(certificates: ClusterCertificatesStatus): string[] {
  const r = certificates.rotation;
  const lines = r === undefined
    ? ["Rotation:  none yet"]
    : [`Rotation:  ${r.id} ${r.phase} (${r.trigger}, started ${r.startedTime}, ${r.completionTime === undefined ? `phase since ${r.phaseTime}` : `completed ${r.completionTime}`})${r.message === undefined ? "" : `: ${r.message}`}`];
  if (certificates.lastRotationTime !== undefined) lines.push(`           CAs made or last rotated ${certificates.lastRotationTime}`);
  lines.push(`           next scheduled rotation: ${certificates.nextRotationTime ?? "none (only on demand: seedbed cluster rotate-ca)"}`);
  return lines;
}

/** The ledger as table rows: holder, kind, when, via, and whether it trusts the current CA. Pure. */
export function ledgerRows(records: readonly KubeconfigRecord[], currentCA: string | undefined): string[][] {
  return records.map((r) => [r.holder, r.kind, r.time, r.via ?? "-", currentCA === undefined ? "unknown" : trustsCA(r, currentCA) ? "yes" : "no"]);
}

/**
 * Shows a cluster's certificates: each authority's fingerprint, expiry and
 * (during a rotation) the previous one, each leaf's expiry, the renewal
 * time, the rotation and its phase, and the kubeconfigs handed out that
 * still trust only the old CA.
 */
export async function certificatesCommand(name: string, options: CertificatesOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const certificates = cluster.status?.certificates ?? {};
  const outstanding = outstandingKubeconfigs(await readLedger(ctx, cluster), currentClusterCA(cluster));
  if (format !== "table") {
    printData(ctx.out, format, { certificates, outstandingKubeconfigs: outstanding });
    return;
  }
  ctx.out.write(`Cluster:   ${name} (project ${ctx.project})\nAuthorities:\n`);
  const authorities = authorityRows(certificates);
  if (authorities.length === 0) ctx.out.write("  (none reported yet: the platform has not issued this cluster's PKI)\n");
  else printTable(ctx.out, ["  NAME", "FINGERPRINT (SHA-256)", "NOT AFTER", "PREVIOUS (TRUSTED UNTIL THE ROTATION COMPLETES)"], authorities);
  ctx.out.write("Leaves:\n");
  const leaves = certificates.leaves ?? [];
  if (leaves.length === 0) ctx.out.write("  (none reported yet)\n");
  else printTable(ctx.out, ["  NAME", "NOT AFTER"], leaves.map((l) => [`  ${l.name}`, l.notAfter]));
  ctx.out.write(`Renewal:   ${certificates.renewalTime === undefined ? "(not reported)" : `next leaf renewal at ${certificates.renewalTime}`}\n`);
  ctx.out.write(`${rotationLines(certificates).join("\n")}\n`);
  ctx.out.write("Outstanding kubeconfigs (trust only the old CA: they stop working when a rotation completes):\n");
  if (outstanding.length === 0) ctx.out.write("  none\n");
  else printTable(ctx.out, ["  HOLDER", "KIND", "HANDED OUT"], outstanding.map((r) => [`  ${r.holder}`, r.kind, r.time]));
}

/** Lists the kubeconfigs handed out for a cluster (its ledger): holder, kind, when, and whether each trusts the current CA. */
export async function kubeconfigsCommand(name: string, options: CertificatesOptions, out?: NodeJS.WritableStream): Promise<void> {
  const format = outputFormat(options.output);
  const ctx = commandContext(options, out);
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const records = await readLedger(ctx, cluster);
  const current = currentClusterCA(cluster);
  if (format !== "table") {
    printData(ctx.out, format, { ...(current === undefined ? {} : { currentCA: current }), kubeconfigs: records.map((r) => ({ ...r, trustsCurrentCA: current !== undefined && trustsCA(r, current) })) });
    return;
  }
  if (records.length === 0) {
    ctx.out.write(`No kubeconfig of cluster ${name} has been handed out yet (seedbed kubeconfig ${name} --project ${ctx.project}).\n`);
    return;
  }
  printTable(ctx.out, ["HOLDER", "KIND", "HANDED OUT", "VIA", "TRUSTS CURRENT CA"], ledgerRows(records, current));
}
