import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../api/client.ts";
import type { ClusterCertificatesStatus } from "../api/types.ts";
import { queryKeys } from "../api/keys.ts";
import { Badge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatDateTime } from "../ui/format.ts";
import { Progress } from "../ui/Progress.tsx";
import { ActionDialog } from "./ActionDialog.tsx";
import { certificateRows, type CertificateRow } from "./certificates.ts";
import { clusterPath, useCertificates } from "./queries.ts";
import { Section } from "./Section.tsx";
import { DataTable } from "../ui/DataTable.tsx";

/** A CA rotation's stages, as the operator reports them. */
const rotationWords: Record<string, string> = {
  Preparing: "Preparing: new CAs are being rolled out beside the old ones.",
  Prepared: "Prepared: both CAs are trusted. Refresh kubeconfigs, then complete the rotation.",
  Completing: "Completing: the old CAs stop being trusted.",
  Completed: "Completed.",
};

/** The CAs and certificates, soonest expiry first, coloured inside 30 days. */
function CertificateTable(props: { rows: readonly CertificateRow[] }): ReactNode {
  if (props.rows.length === 0) return null;
  return (
    <DataTable columns={["Certificate", "Kind", "Expires", "Left"]}>
      {props.rows.map((r) => (
        <tr key={`${r.kind}-${r.name}`}>
          <th scope="row">{r.name}</th>
          <td>{r.kind}</td>
          <td>{r.notAfter === undefined ? "—" : <time dateTime={r.notAfter}>{formatDateTime(r.notAfter)}</time>}</td>
          <td>{r.tone === "ok" || r.tone === "neutral" ? r.text : <Badge tone={r.tone}>{r.text}</Badge>}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Where the CA rotation stands, with a spinner while the platform works on it. */
function RotationStatus(props: { rotation: NonNullable<ClusterCertificatesStatus["rotation"]> }): ReactNode {
  const { rotation } = props;
  const working = rotation.phase === "Preparing" || rotation.phase === "Completing";
  return (
    <p role="status">
      CA rotation {rotation.id}: {rotationWords[rotation.phase] ?? rotation.phase}
      {rotation.message === undefined ? "" : ` ${rotation.message}`}
      {working ? <Progress inline label="in progress" /> : null}
    </p>
  );
}

/** The cluster's CAs and certificates with their expiry (coloured inside 30 days), and CA rotation. */
export function CertificatesSection(props: { project: string; name: string; editable: boolean; now: number }): ReactNode {
  const api = useApi();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<"start" | "complete" | undefined>(undefined);
  const answer = useCertificates(props.project, props.name, 30_000);
  const certificates = answer.data?.certificates;
  const rotation = certificates?.rotation;
  const rows = certificateRows(certificates, props.now);
  const underway = rotation !== undefined && rotation.phase !== "Completed";
  const outstanding = answer.data?.outstandingKubeconfigs ?? [];

  const rotate = async (complete: boolean): Promise<void> => {
    await api.send("POST", `${clusterPath(props.project, props.name)}/rotate-ca`, complete ? { complete: true } : {});
    await queryClient.invalidateQueries({ queryKey: queryKeys.cluster(props.project, props.name) });
  };

  const actions = props.editable ? (
    <>
      {underway ? null : <button type="button" className="button" onClick={() => setDialog("start")}>Rotate CA</button>}
      {rotation?.phase === "Prepared" ? <button type="button" className="button button-danger" onClick={() => setDialog("complete")}>Complete CA rotation</button> : null}
    </>
  ) : undefined;

  return (
    <Section title="Certificates" actions={actions}>
      {answer.isPending ? <Progress label="Loading certificates…" /> : null}
      <ErrorMessage error={answer.error} title="The certificates could not be loaded." />
      {rotation === undefined ? null : <RotationStatus rotation={rotation} />}
      {outstanding.length > 0 ? <p className="warning-message">{outstanding.length} kubeconfig{outstanding.length === 1 ? "" : "s"} handed out trust only the old CA ({outstanding.map((k) => `${k.holder} (${k.kind})`).join(", ")}): they stop working when a rotation completes.</p> : null}
      {answer.isSuccess && rows.length === 0 ? <p className="muted">No certificate dates reported yet.</p> : null}
      <CertificateTable rows={rows} />
      {dialog === "start" ? (
        <ActionDialog title={`Rotate the CAs of ${props.name}`} confirmLabel="Rotate CA" onClose={() => setDialog(undefined)} onConfirm={() => rotate(false)}>
          <p>New cluster, etcd and front-proxy CAs and a new service-account key are rolled out in stages. Both old and new are trusted until you complete the rotation; kubeconfigs handed out before then need refreshing.</p>
        </ActionDialog>
      ) : null}
      {dialog === "complete" ? (
        <ActionDialog title={`Complete the CA rotation of ${props.name}`} confirmLabel="Complete rotation" danger onClose={() => setDialog(undefined)} onConfirm={() => rotate(true)}>
          <p>The old CAs stop being trusted.{outstanding.length > 0 ? ` ${outstanding.length} kubeconfig${outstanding.length === 1 ? "" : "s"} still trusting only the old CA will stop working.` : ""}</p>
        </ActionDialog>
      ) : null}
    </Section>
  );
}
