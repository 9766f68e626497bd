import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useApi } from "../api/client.ts";
import { queryKeys } from "../api/keys.ts";
import { canEdit, isOwner, roleIn, useProjects } from "../api/projects.ts";
import type { Cluster } from "../api/types.ts";
import { useProjectWatches } from "../fleet/watch.ts";
import { WatchStatus } from "../fleet/WatchStatus.tsx";
import { ConfirmDialog } from "../ui/ConfirmDialog.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";
import { AddonsSection } from "./AddonsSection.tsx";
import { BackupsSection } from "./BackupsSection.tsx";
import { CertificatesSection } from "./CertificatesSection.tsx";
import { ClusterHeader, workingOn } from "./ClusterHeader.tsx";
import { ConditionsSection } from "./ConditionsSection.tsx";
import { EventsSection } from "./EventsSection.tsx";
import { NodePoolsSection } from "./NodePoolsSection.tsx";
import { PoliciesSection } from "./PoliciesSection.tsx";
import { clusterPath, unseen, useCluster, useProjectPools } from "./queries.ts";
import { UpgradeSection } from "./UpgradeSection.tsx";
import { useAction } from "./useAction.ts";
import { useNow } from "./useNow.ts";

/** "Download kubeconfig" for everyone who may see the cluster; owners also get the admin one. */
function KubeconfigButtons(props: { project: string; name: string; owner: boolean }): ReactNode {
  const api = useApi();
  const download = useAction();
  const path = `${clusterPath(props.project, props.name)}/kubeconfig`;
  return (
    <div className="kubeconfig-actions">
      <button type="button" className="button" disabled={download.busy} onClick={() => void download.run(() => api.download(path, `${props.name}.kubeconfig`))}>Download kubeconfig</button>
      {props.owner ? <button type="button" className="button" disabled={download.busy} onClick={() => void download.run(() => api.download(`${path}?admin=true`, `${props.name}-admin.kubeconfig`))}>Download admin kubeconfig</button> : null}
      <ErrorMessage error={download.error} title="The kubeconfig could not be downloaded." />
    </div>
  );
}

/** The page's body once the cluster is loaded. */
function ClusterDetails(props: { project: string; cluster: Cluster; editable: boolean; owner: boolean; live: boolean }): ReactNode {
  const { project, cluster, live } = props;
  const name = cluster.metadata.name;
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const now = useNow();
  const pools = useProjectPools(project, live);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const deleting = cluster.metadata.deletionTimestamp !== undefined;
  // Nothing can be changed on a cluster on its way out.
  const editable = props.editable && !deleting;
  const busy = workingOn(cluster) !== undefined;

  const actions = (
    <>
      <KubeconfigButtons project={project} name={name} owner={props.owner} />
      {editable ? <button type="button" className="button button-danger" onClick={() => setConfirmDelete(true)}>Delete cluster</button> : null}
    </>
  );

  return (
    <>
      <ClusterHeader project={project} cluster={cluster} actions={actions} />
      <ConditionsSection conditions={cluster.status?.conditions ?? []} now={now} />
      <NodePoolsSection project={project} cluster={name} pools={pools.data} error={pools.error ?? undefined} editable={editable} />
      <UpgradeSection project={project} cluster={cluster} editable={editable} />
      <BackupsSection project={project} cluster={name} editable={editable} now={now} />
      <CertificatesSection project={project} name={name} editable={editable} now={now} />
      <AddonsSection project={project} name={name} editable={editable} />
      <PoliciesSection project={project} name={name} />
      <EventsSection project={project} name={name} busy={busy} now={now} />
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete cluster ${name}`}
          description={<p>The control plane, its etcd data and backups schedule, and every node pool of {name} are deleted. This cannot be undone.</p>}
          confirmText={name}
          confirmLabel="Delete"
          busyLabel={`Deleting ${name}…`}
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.send("DELETE", clusterPath(project, name));
            await queryClient.invalidateQueries({ queryKey: queryKeys.clusters(project) });
            void navigate("/clusters");
          }}
        />
      ) : null}
    </>
  );
}

/** /projects/:project/clusters/:name: one cluster's day-2 state, live, with the changes the user's role allows. */
export function ClusterPage(): ReactNode {
  const params = useParams();
  const project = params.project ?? "";
  const name = params.name ?? "";
  useDocumentTitle(name);
  const projects = useProjects();
  const queryClient = useQueryClient();
  // The project's live updates start once the cluster is known to exist for this user.
  const known = queryClient.getQueryData(queryKeys.cluster(project, name)) !== undefined;
  const watches = useProjectWatches(useMemo(() => (known ? [project] : []), [known, project]));
  const live = watches.get(project)?.status === "live";
  const cluster = useCluster(project, name, live);
  const entry = projects.data?.find((p) => p.metadata.name === project);
  const role = entry === undefined ? undefined : roleIn(entry);

  if (cluster.isPending) return <><h1>Cluster</h1><Progress label={`Loading cluster ${name}…`} /></>;
  if (unseen(cluster.error)) {
    return (
      <>
        <h1>Cluster not found</h1>
        <p role="alert">Cluster {name} was not found in project {project}: it does not exist (it may have been deleted), or you are not a member of the project. <Link to="/clusters">Back to the fleet</Link></p>
      </>
    );
  }
  if (cluster.data === undefined) return <><h1>Cluster {name}</h1><ErrorMessage error={cluster.error} title="The cluster could not be loaded." /></>;
  return (
    <>
      <WatchStatus states={watches} />
      {/* A failed refresh keeps the last state on screen and says so. */}
      <ErrorMessage error={cluster.error ?? undefined} title="The cluster could not be refreshed; showing what was last loaded." />
      <ClusterDetails project={project} cluster={cluster.data} editable={canEdit(role)} owner={isOwner(role)} live={live} />
    </>
  );
}
