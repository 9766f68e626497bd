import { createInterface } from "node:readline/promises";
import type { ClusterUpgradeStatus, EtcdBackup } from "@seedbed/api";
import { commandContext, type CommandContext, type GlobalOptions } from "../../context.ts";
import { CliError, ExitCode, explain } from "../../errors.ts";
import { etcdBackupResource } from "../backup/backups-api.ts";
import { readCluster, setClusterVersion } from "./clusters-api.ts";
import { rollbackDecision } from "./upgrade-check.ts";
import { waitForUpgrade } from "./upgrade-wait.ts";
import { parseTimeout } from "./wait.ts";

/** Options of `seedbed cluster rollback`. */
export interface RollbackClusterOptions extends GlobalOptions {
  readonly wait?: boolean;
  readonly timeout?: string;
  /** Confirmed in advance: no question asked. */
  readonly yes?: boolean;
}

/** How the command asks for a confirmation: only where someone can answer. */
export interface Confirmation {
  /** Whether standard input is a terminal. */
  readonly interactive: boolean;
  /** Asks `question`; true for yes. */
  readonly ask: (question: string) => Promise<boolean>;
}

/** The terminal's confirmation: a y/N question on standard error, answered on standard input. */
export function terminalConfirmation(): Confirmation {
  return {
    interactive: process.stdin.isTTY,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** The pre-upgrade snapshot as the rollback will use it: its name and when it was taken, if known. */
export interface SnapshotInfo {
  readonly name: string;
  readonly takenAt?: string;
}

/**
 * What a rollback does, in the words the question and the refusal use:
 * the control plane back to `from`, node pools first, and the data — from
 * the pre-upgrade snapshot (what was written since is lost), or kept when
 * the upgrade took none. Pure.
 */
export function rollbackConsequences(upgrade: ClusterUpgradeStatus, snapshot: SnapshotInfo | undefined): string {
  const data = snapshot === undefined
    ? "no pre-upgrade snapshot is recorded (spec.upgrade.snapshot Skip, or none taken yet), so the data is kept"
    : `etcd is restored from the pre-upgrade snapshot ${snapshot.name} taken at ${snapshot.takenAt ?? "(not taken yet)"}: changes made since are lost`;
  return `node pools go back first, then the control plane returns to ${upgrade.from}; ${data}`;
}

/** Reads the snapshot status.upgrade names, for its time; a backup gone or unreadable still gives its name. */
async function snapshotInfo(ctx: CommandContext, upgrade: ClusterUpgradeStatus): Promise<SnapshotInfo | undefined> {
  const name = upgrade.snapshot;
  if (name === undefined) return undefined;
  const backup = (await ctx.objects.getNamespacedCustomObject({ ...etcdBackupResource, namespace: ctx.namespace, name }).catch(() => undefined)) as EtcdBackup | undefined;
  const takenAt = backup?.status?.completionTime;
  return takenAt === undefined ? { name } : { name, takenAt };
}

/**
 * Rolls back a cluster's last upgrade: spec.version back to
 * status.upgrade.from, while that upgrade is Upgrading, Failed or
 * Completed. It says what that costs and asks first (in a terminal; a
 * script passes --yes). With --wait, follows the rollback step by step
 * until it is RolledBack.
 */
export async function rollbackCluster(name: string, options: RollbackClusterOptions, out?: NodeJS.WritableStream, confirmation: Confirmation = terminalConfirmation()): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout ?? "30m");
  const ctx = commandContext(options, out);
  const where = `--project ${ctx.project}`;
  const cluster = await readCluster(ctx, name).catch((error: unknown) => {
    throw explain(error, { kind: "cluster", name, project: ctx.project, server: ctx.server });
  });
  const decision = rollbackDecision(cluster, { name, project: ctx.project });
  if (decision.action === "already") {
    ctx.out.write(`Cluster ${name} is being rolled back to ${decision.upgrade.from} already (step ${decision.upgrade.step}).\n`);
  } else {
    const consequences = rollbackConsequences(decision.upgrade, await snapshotInfo(ctx, decision.upgrade));
    if (options.yes !== true) {
      if (!confirmation.interactive) throw new CliError(`cluster rollback ${name} changes nothing without --yes here (no terminal to ask in): ${consequences}. Run it again with --yes to go ahead`, ExitCode.usage);
      const sure = await confirmation.ask(`Roll back cluster ${name} from ${decision.upgrade.to} to ${decision.to}? ${capitalized(consequences)}. [y/N] `);
      if (!sure) {
        ctx.out.write(`Nothing changed: cluster ${name} stays at ${cluster.spec.version ?? decision.upgrade.to}.\n`);
        return;
      }
    }
    await setClusterVersion(ctx, cluster, decision.to);
    ctx.out.write(`Cluster ${name} is rolling back from ${decision.upgrade.to} to ${decision.to} (spec.version set): ${consequences}.\n`);
  }
  if (options.wait !== true) {
    ctx.out.write(`Follow it: seedbed cluster get ${name} ${where}\n`);
    return;
  }
  const done = await waitForUpgrade(ctx, name, { kind: "rollback", to: decision.upgrade.from }, timeoutMs);
  if (done === undefined) return;
  const data = done.restore === undefined ? "its data kept" : `etcd restored from snapshot ${done.snapshot ?? "?"} (restore ${done.restore})`;
  ctx.out.write(`Cluster ${name} runs Kubernetes ${done.from} again: rolled back, ${data}.\n`);
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
