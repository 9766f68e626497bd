import { pinnedKubernetesVersion } from "@seedbed/binaries";
import { commandContext, type GlobalOptions } from "../../context.ts";
import { explain } from "../../errors.ts";
import { readCluster, setClusterVersion } from "./clusters-api.ts";
import { offeredVersionFlag, upgradeDecision } from "./upgrade-check.ts";
import { tookOf, waitForUpgrade } from "./upgrade-wait.ts";
import { parseTimeout } from "./wait.ts";

/** Options of `seedbed cluster upgrade`. */
export interface UpgradeClusterOptions extends GlobalOptions {
  readonly version?: string;
  readonly wait?: boolean;
  readonly timeout?: string;
}

/** The flags of `seedbed cluster upgrade`, checked before the management API is called. Pure. */
export function upgradeFlagsOf(options: UpgradeClusterOptions): { readonly version: string; readonly timeoutMs: number } {
  const { version } = offeredVersionFlag(options.version);
  return { version, timeoutMs: parseTimeout(options.timeout ?? "30m") };
}

/**
 * Upgrades a cluster by one minor: checks that the version is offered and
 * is the next minor (or the same), sets spec.version, and with --wait
 * follows status.upgrade step by step until the upgrade is Completed —
 * or exits 8 when it Failed, with the way back.
 */
export async function upgradeCluster(name: string, options: UpgradeClusterOptions, out?: NodeJS.WritableStream): Promise<void> {
  const { timeoutMs } = upgradeFlagsOf(options);
  const ctx = commandContext(options, out);
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const decision = upgradeDecision(cluster, options.version, { name, project: ctx.project });
  const where = `--project ${ctx.project}`;
  if (decision.action === "already") {
    const upgrade = cluster.status?.upgrade;
    const running = cluster.status?.version;
    if (upgrade?.phase === "Upgrading" && pinnedKubernetesVersion(upgrade.to) === decision.pinned) ctx.out.write(`Cluster ${name} is being upgraded to ${decision.pinned} already (step ${upgrade.step}).\n`);
    else if (running !== undefined && pinnedKubernetesVersion(running) !== decision.pinned) ctx.out.write(`Cluster ${name} asks for Kubernetes ${decision.pinned} already (spec.version ${cluster.spec.version ?? "unset"}) and runs ${running}: its upgrade is about to start.\n`);
    else {
      ctx.out.write(`Cluster ${name} is at Kubernetes ${decision.pinned} already: nothing to upgrade.\n`);
      return;
    }
    if (options.wait !== true) return;
  } else {
    await setClusterVersion(ctx, cluster, decision.version);
    ctx.out.write(`Cluster ${name} is upgrading from ${decision.from ?? "(not running yet)"} to ${decision.version} (spec.version set): snapshot, etcd, kube-apiserver, controllers, then node pools.\n`);
    if (options.wait !== true) {
      ctx.out.write(`Follow it: seedbed cluster get ${name} ${where}\n`);
      return;
    }
  }
  const previous = decision.action === "upgrade" ? cluster.status?.upgrade : undefined;
  const done = await waitForUpgrade(ctx, name, { kind: "upgrade", pinned: decision.pinned, ...(previous === undefined ? {} : { previous }) }, timeoutMs);
  if (done === undefined) return;
  ctx.out.write(`Cluster ${name} runs Kubernetes ${done.to}: upgraded from ${done.from}${tookOf(done)}.\n`);
}
