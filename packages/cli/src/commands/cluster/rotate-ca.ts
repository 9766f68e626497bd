import { completeCARotationAnnotation, currentClusterCA, isCARotationUnderway, outstandingKubeconfigs, rotateCAAnnotation, type CARotationStatus, type Cluster, type KubeconfigRecord } from "@seedbed/api";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { readCluster, setClusterAnnotations, type CheckedPart } from "./clusters-api.ts";
import { readLedger } from "./ledger.ts";

/** Options of `seedbed cluster rotate-ca`. */
export interface RotateCAOptions extends GlobalOptions {
  /** Complete the Prepared rotation now instead of starting one. */
  readonly complete?: boolean;
}

/** What `rotate-ca` does with a cluster: start a rotation, complete one, or say that nothing is to be done. */
export type RotateCADecision =
  | { readonly action: "start" }
  | { readonly action: "complete"; readonly rotation: CARotationStatus }
  | { readonly action: "already"; readonly rotation: CARotationStatus };

/**
 * What `seedbed cluster rotate-ca NAME [--complete]` does with `cluster`
 * as read: start one unless a rotation runs (a new annotation value then
 * would start another right after it); complete only a Prepared one
 * (exit 5 otherwise, saying what to do). Pure.
 */
export function rotateCADecision(cluster: Cluster, complete: boolean, subject: { readonly name: string; readonly project: string }): RotateCADecision {
  const where = `${subject.name} --project ${subject.project}`;
  const rotation = cluster.status?.certificates?.rotation;
  if (cluster.metadata.deletionTimestamp !== undefined) throw new CliError(`cluster ${subject.name} is being deleted: no CA to rotate`, ExitCode.failed);
  if (!complete) return rotation !== undefined && isCARotationUnderway(rotation) ? { action: "already", rotation } : { action: "start" };
  if (rotation === undefined || rotation.phase === "Completed") {
    const last = rotation?.completionTime === undefined ? "" : ` (the last one completed at ${rotation.completionTime})`;
    throw new CliError(`--complete: cluster ${subject.name} has no CA rotation to complete, none is under way${last}. Start one: seedbed cluster rotate-ca ${where}`, ExitCode.invalid);
  }
  if (rotation.phase === "Preparing") {
    throw new CliError(`--complete: the CA rotation ${rotation.id} of cluster ${subject.name} is still Preparing (${rotation.message ?? "new CAs being rolled out"}); it can be completed once it is Prepared. Follow it: seedbed cluster certificates ${where}`, ExitCode.invalid);
  }
  return rotation.phase === "Completing" ? { action: "already", rotation } : { action: "complete", rotation };
}

/** What rotateCADecision looks at: a deletion and the rotation's id and phase (not its message or times). */
const rotationChecks: CheckedPart = (c) => [c.metadata.deletionTimestamp, c.status?.certificates?.rotation?.id, c.status?.certificates?.rotation?.phase];

/** The steps a rotation goes through, as `rotate-ca` tells them. Pure. */
export function nextSteps(name: string, project: string): string {
  const where = `${name} --project ${project}`;
  return [
    "  1. Preparing: new cluster, etcd and front-proxy CAs and a new service-account key; every trust bundle carries the old and the new, then certificates come from the new CAs. Nothing stops.",
    `  2. Prepared: both CAs trusted. Refresh your kubeconfig now: seedbed kubeconfig ${where} --merge (add --admin for the admin one).`,
    `     Who still holds only the old CA: seedbed cluster kubeconfigs ${where}`,
    `  3. Completing: the old CAs leave every bundle, after spec.certificates.caRotation.completeAfter (24h by default) or at once with seedbed cluster rotate-ca ${where} --complete; kubeconfigs that trust only the old CA stop working.`,
    "  4. Completed.",
    `Follow it: seedbed cluster certificates ${where}`,
  ].join("\n");
}

/** "alice (admin, handed out 2030-01-01T00:00:00Z)", one per line. Pure. */
export function holderLines(records: readonly KubeconfigRecord[]): string {
  return records.map((r) => `  ${r.holder} (${r.kind}, handed out ${r.time})`).join("\n");
}

/**
 * Starts a CA rotation of a cluster (annotation seedbed.dev/rotate-ca set
 * to the current time) and says what follows; with --complete, completes
 * a Prepared one (seedbed.dev/complete-ca-rotation set to its id), first
 * listing the kubeconfigs that will stop working.
 */
export async function rotateCA(name: string, options: RotateCAOptions, out?: NodeJS.WritableStream): Promise<void> {
  const ctx = commandContext(options, out);
  const where = `${name} --project ${ctx.project}`;
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const decision = rotateCADecision(cluster, options.complete === true, { name, project: ctx.project });
  switch (decision.action) {
    case "already": {
      const { rotation } = decision;
      ctx.out.write(`The CA rotation ${rotation.id} of cluster ${name} is ${rotation.phase} already (since ${rotation.phaseTime})${rotation.message === undefined ? "" : `: ${rotation.message}`}.\n`);
      if (rotation.phase === "Prepared") ctx.out.write(`Complete it: seedbed cluster rotate-ca ${where} --complete\n`);
      ctx.out.write(`Follow it: seedbed cluster certificates ${where}\n`);
      return;
    }
    case "start": {
      const now = new Date().toISOString();
      await setClusterAnnotations(ctx, cluster, { [rotateCAAnnotation]: now }, rotationChecks);
      ctx.out.write(`CA rotation of cluster ${name} requested (annotation ${rotateCAAnnotation}=${now}). What happens next:\n${nextSteps(name, ctx.project)}\n`);
      return;
    }
    case "complete": {
      const { rotation } = decision;
      const outstanding = outstandingKubeconfigs(await readLedger(ctx, cluster), currentClusterCA(cluster));
      await setClusterAnnotations(ctx, cluster, { [completeCARotationAnnotation]: rotation.id }, rotationChecks);
      ctx.out.write(`Completing the CA rotation ${rotation.id} of cluster ${name} (annotation ${completeCARotationAnnotation}=${rotation.id}): serving certificates come from the new CAs, then the old CAs leave every trust bundle.\n`);
      ctx.out.write(outstanding.length === 0
        ? "Every kubeconfig handed out trusts the new CA.\n"
        : `${String(outstanding.length)} kubeconfig(s) handed out trust only the old CA and stop working; their holders get a fresh one with seedbed kubeconfig ${where} --merge:\n${holderLines(outstanding)}\n`);
      ctx.out.write(`Follow it: seedbed cluster certificates ${where}\n`);
    }
  }
}
