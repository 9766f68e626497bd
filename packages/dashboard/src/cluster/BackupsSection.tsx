import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../api/client.ts";
import type { EtcdBackup } from "../api/types.ts";
import { PhaseBadge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Progress } from "../ui/Progress.tsx";
import { ActionDialog } from "./ActionDialog.tsx";
import { backupsOf, backupTime, formatBytes, restorable, restoresOf, timedName } from "./backups.ts";
import { clusterKeys, projectPath, useBackups } from "./queries.ts";
import { Section } from "./Section.tsx";
import { useAction } from "./useAction.ts";
import { DataTable } from "../ui/DataTable.tsx";
import { When } from "../ui/When.tsx";

/** How many backups the table shows. */
const shownBackups = 20;

/** The cluster's etcd snapshots: "Back up now", and a restore from a completed one (confirmed first). */
export function BackupsSection(props: { project: string; cluster: string; editable: boolean; now: number }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const { backups, restores } = useBackups(props.project);
  const backup = useAction();
  const [restoring, setRestoring] = useState<EtcdBackup | undefined>(undefined);
  const own = backupsOf(backups.data ?? [], props.cluster);
  const ownRestores = restoresOf(restores.data ?? [], props.cluster);
  const latestRestore = ownRestores[0];

  const refresh = async (): Promise<void> => {
    await queryClient.invalidateQueries({ queryKey: clusterKeys.backups(props.project) });
    await queryClient.invalidateQueries({ queryKey: clusterKeys.restores(props.project) });
  };

  const backUpNow = (): Promise<void> => backup.run(async () => {
    await api.send("POST", `${projectPath(props.project)}/etcdbackups`, { metadata: { name: timedName(props.cluster, "manual", new Date()) }, spec: { clusterName: props.cluster } });
    await refresh();
  });

  return (
    <Section title="Backups" actions={props.editable ? <button type="button" className="button" disabled={backup.busy} onClick={() => void backUpNow()}>Back up now</button> : undefined}>
      <ErrorMessage error={backup.error} title="The backup was not started." />
      {latestRestore === undefined ? null : (
        <p role="status">
          Last restore {latestRestore.metadata.name} from {latestRestore.spec.backupName ?? "the newest backup"}: <PhaseBadge phase={latestRestore.status?.phase ?? "Pending"} />
          {latestRestore.status?.phase === "Restoring" || latestRestore.status?.phase === "Pending" ? <Progress inline label="restoring…" /> : null}
        </p>
      )}
      {backups.isPending ? <Progress label="Loading backups…" /> : null}
      <ErrorMessage error={backups.error} title="The backups could not be loaded." />
      {backups.isSuccess && own.length === 0 ? <p className="muted">No backups of this cluster yet.</p> : null}
      {own.length > 0 ? (
        <DataTable columns={["Backup", "Phase", "Taken", "Size", "Kind", props.editable && "Restore"]}>
          {own.slice(0, shownBackups).map((b) => (
            <tr key={b.metadata.name}>
              <th scope="row">{b.metadata.name}</th>
              <td><PhaseBadge phase={b.status?.phase ?? "Pending"} /></td>
              <td><When iso={backupTime(b)} now={props.now} /></td>
              <td>{formatBytes(typeof b.status?.sizeBytes === "number" ? b.status.sizeBytes : undefined)}</td>
              <td>{b.status?.scheduled === true ? "scheduled" : "manual"}</td>
              {props.editable ? (
                <td>{restorable(b) ? <button type="button" className="button button-small" onClick={() => setRestoring(b)}>Restore {b.metadata.name}</button> : null}</td>
              ) : null}
            </tr>
          ))}
        </DataTable>
      ) : null}
      {restoring === undefined ? null : (
        <ActionDialog
          title={`Restore ${props.cluster} from ${restoring.metadata.name}`}
          confirmLabel="Restore"
          danger
          onClose={() => setRestoring(undefined)}
          onConfirm={async () => {
            await api.send("POST", `${projectPath(props.project)}/etcdrestores`, { metadata: { name: timedName(props.cluster, "restore", new Date()) }, spec: { clusterName: props.cluster, backupName: restoring.metadata.name } });
            await refresh();
          }}
        >
          <p>The control plane stops, etcd is put back to the snapshot taken {formatDateTime(backupTime(restoring))}, and everything starts again. What was written to the cluster since is lost.</p>
        </ActionDialog>
      )}
    </Section>
  );
}
