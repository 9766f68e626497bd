import type { ReactNode } from "react";
import type { Cluster } from "../api/types.ts";
import { HealthBadge } from "../fleet/HealthBadge.tsx";
import { PhaseBadge } from "../ui/Badge.tsx";
import { Progress } from "../ui/Progress.tsx";

/** Phases in which the platform is working on the cluster, with what it is doing. */
const workingWords: Record<string, string> = {
  Pending: "Waiting for room on a seed…",
  Provisioning: "Provisioning the control plane…",
  Upgrading: "Upgrading…",
  Restoring: "Restoring etcd from a snapshot…",
  Deleting: "Deleting…",
};

/** What is under way, in words: the phase, and the upgrade's step while one runs. */
export function workingOn(cluster: Cluster): string | undefined {
  if (cluster.metadata.deletionTimestamp !== undefined) return workingWords.Deleting;
  const phase = cluster.status?.phase;
  const upgrade = cluster.status?.upgrade;
  if (phase === "Upgrading" && upgrade !== undefined) return `Upgrading ${upgrade.from} → ${upgrade.to}: step ${upgrade.step}…`;
  return phase === undefined ? "Waiting for the platform to pick the cluster up…" : workingWords[phase];
}

/** Version, endpoint, nodes, seed and what else identifies the cluster. */
function ClusterFacts(props: { cluster: Cluster }): ReactNode {
  const { cluster } = props;
  const status = cluster.status;
  return (
    <dl className="facts">
      <dt>Version</dt><dd>{status?.version ?? cluster.spec.version ?? "—"}</dd>
      <dt>Endpoint</dt><dd>{status?.endpoint ?? status?.sharedEndpoint ?? "not yet"}</dd>
      <dt>Nodes</dt><dd>{status?.nodes === undefined ? "—" : `${status.nodes.ready} of ${status.nodes.total} ready`}</dd>
      <dt>Seed</dt><dd>{status?.seed ?? cluster.spec.seed ?? "—"}{status?.region === undefined ? "" : ` (${status.region})`}</dd>
      {cluster.spec.template === undefined ? null : <><dt>Template</dt><dd>{cluster.spec.template}</dd></>}
      {status?.controlPlane === undefined ? null : <><dt>Control plane</dt><dd>API servers {status.controlPlane.apiServers}, etcd {status.controlPlane.etcd}</dd></>}
    </dl>
  );
}

/** The cluster's name, phase and health, what is under way, and the facts people look for first. */
export function ClusterHeader(props: { project: string; cluster: Cluster; actions: ReactNode }): ReactNode {
  const { cluster } = props;
  const working = workingOn(cluster);
  return (
    <div className="cluster-header">
      <div className="page-header">
        <div>
          <p className="breadcrumb muted">Project {props.project}</p>
          <h1>{cluster.metadata.name}</h1>
        </div>
        <div className="page-actions">{props.actions}</div>
      </div>
      <p className="badges">
        <span>Phase <PhaseBadge phase={cluster.metadata.deletionTimestamp === undefined ? cluster.status?.phase : "Deleting"} /></span>{" "}
        <span>Health <HealthBadge cluster={cluster} /></span>
      </p>
      {working === undefined ? null : <Progress label={working} />}
      <ClusterFacts cluster={cluster} />
    </div>
  );
}
