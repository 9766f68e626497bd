import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import type { Cluster, ClusterUpgradeStatus } from "../api/types.ts";
import { useDashboardConfig } from "../auth/context.ts";
import { Badge, phaseTone } from "../ui/Badge.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Progress } from "../ui/Progress.tsx";
import { ActionDialog } from "./ActionDialog.tsx";
import { clusterPath } from "./queries.ts";
import { Section } from "./Section.tsx";
import { nextMinorOffer, rollbackAllowed, stepStates, upgradeUnderway } from "./versions.ts";

/** The last upgrade (or rollback): its phase, its steps with the current one marked, and its message. */
function UpgradeProgress(props: { upgrade: ClusterUpgradeStatus }): ReactNode {
  const { upgrade } = props;
  const underway = upgradeUnderway(upgrade);
  return (
    <div className="upgrade-status">
      <p role="status">
        {upgrade.phase === "RollingBack" || upgrade.phase === "RolledBack" ? `Rollback ${upgrade.to} → ${upgrade.from}` : `Upgrade ${upgrade.from} → ${upgrade.to}`}:{" "}
        <Badge tone={upgrade.phase === "Upgrading" || upgrade.phase === "RollingBack" ? "info" : phaseTone(upgrade.phase)}>{upgrade.phase}</Badge>
        {underway ? <Progress inline label={`step ${upgrade.step}`} /> : null}
        {" "}started {formatDateTime(upgrade.startedTime)}{upgrade.completionTime === undefined ? "" : `, finished ${formatDateTime(upgrade.completionTime)}`}.
      </p>
      {upgrade.message === undefined ? null : <p className={upgrade.phase === "Failed" ? "error-message" : "muted"}>{upgrade.message}</p>}
      <ol className="steps" aria-label="Upgrade steps">
        {stepStates(upgrade).map((s) => (
          <li key={s.step} className={`step step-${s.state}`} {...(s.state === "current" && underway ? { "aria-current": "step" as const } : {})}>
            {s.step} <span className="visually-hidden">({s.state === "current" ? (underway ? "under way" : "stopped here") : s.state === "done" ? "done" : "to come"})</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Versions, the last upgrade's progress step by step, "Upgrade to <next>" and "Roll back". */
export function UpgradeSection(props: { project: string; cluster: Cluster; editable: boolean }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const { versions } = useDashboardConfig();
  const [dialog, setDialog] = useState<"upgrade" | "rollback" | undefined>(undefined);
  const { cluster } = props;
  const name = cluster.metadata.name;
  const running = cluster.status?.version;
  const upgrade = cluster.status?.upgrade;
  const underway = upgradeUnderway(upgrade);
  const next = underway ? undefined : nextMinorOffer(running, versions);
  const mayRollBack = rollbackAllowed(upgrade);

  const post = async (what: "upgrade" | "rollback", body?: unknown): Promise<void> => {
    const updated = await api.send<Cluster>("POST", `${clusterPath(props.project, name)}/${what}`, body);
    queryClient.setQueryData(queryKeys.cluster(props.project, name), updated);
    await queryClient.invalidateQueries({ queryKey: queryKeys.cluster(props.project, name) });
  };

  const actions = props.editable ? (
    <>
      {next === undefined ? null : <button type="button" className="button" onClick={() => setDialog("upgrade")}>Upgrade to {next}</button>}
      {mayRollBack ? <button type="button" className="button button-danger" onClick={() => setDialog("rollback")}>Roll back</button> : null}
    </>
  ) : undefined;

  return (
    <Section title="Upgrade" actions={actions}>
      <dl className="facts">
        <dt>Running</dt><dd>{running ?? "not reported yet"}</dd>
        <dt>Asked for</dt><dd>{cluster.spec.version ?? "the template's or platform's default"}</dd>
        <dt>Next minor</dt><dd>{next ?? (underway ? "after the change under way" : "none offered")}</dd>
      </dl>
      {upgrade === undefined ? <p className="muted">No upgrade yet.</p> : <UpgradeProgress upgrade={upgrade} />}
      {dialog === "upgrade" && next !== undefined ? (
        <ActionDialog title={`Upgrade ${name} to ${next}`} confirmLabel={`Upgrade to ${next}`} onClose={() => setDialog(undefined)} onConfirm={() => post("upgrade", { version: next })}>
          <p>An etcd snapshot is taken first; then etcd, the API servers, the controllers and the node pools are upgraded in order. The last upgrade can be rolled back.</p>
        </ActionDialog>
      ) : null}
      {dialog === "rollback" && upgrade !== undefined ? (
        <ActionDialog title={`Roll ${name} back to ${upgrade.from}`} confirmLabel="Roll back" danger onClose={() => setDialog(undefined)} onConfirm={() => post("rollback")}>
          <p>Node pools go back first, then etcd is restored from the pre-upgrade snapshot: what was written to the cluster since the upgrade began is lost.</p>
        </ActionDialog>
      ) : null}
    </Section>
  );
}
