import { useEffect, useMemo, useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { canEdit, roleIn, useProjects } from "../api/projects.ts";
import type { Project } from "../api/types.ts";
import { NoMembership } from "../app/NoMembership.tsx";
import { BulkDeleteDialog, BulkUpgradeDialog } from "../cluster/bulk.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";
import { useFleetData } from "./data.ts";
import { FleetFilters, type FilterValues } from "./FleetFilters.tsx";
import { FleetTable } from "./FleetTable.tsx";
import { parseSelector } from "./label-selector.ts";
import { filterRows, fleetRows, versionOptions } from "./rows.ts";
import { useProjectWatches } from "./watch.ts";
import { WatchStatus } from "./WatchStatus.tsx";

const filterNames = ["project", "labels", "version", "health"] as const;

/** A clock that ticks each minute, so "3 minutes ago" stays true. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** /clusters: every cluster of every project the user sees, live, filterable, with bulk actions. */
export function FleetPage(): ReactNode {
  useDocumentTitle("Fleet");
  const projects = useProjects();
  const list = projects.data ?? [];
  const mayCreate = list.some((p) => canEdit(roleIn(p)));
  let body: ReactNode;
  if (projects.isPending) body = <Progress label="Loading your projects…" />;
  else if (projects.isError) body = <ErrorMessage error={projects.error} title="Your projects could not be loaded." />;
  else if (list.length === 0) body = <NoMembership />;
  else body = <Fleet projects={list} mayCreate={mayCreate} />;
  return (
    <>
      <div className="page-header">
        <h1>Fleet</h1>
        {mayCreate ? <Link className="button button-primary" to="/create">Create cluster</Link> : null}
      </div>
      {body}
    </>
  );
}

/** The filters, live status, bulk bar and table of the clusters of some projects. */
function Fleet(props: { projects: readonly Project[]; mayCreate: boolean }): ReactNode {
  const { projects: list, mayCreate } = props;
  const fleet = useFleetData(list);
  const watches = useProjectWatches(useMemo(() => list.map((p) => p.metadata.name), [list]));
  const [params, setParams] = useSearchParams();
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [dialog, setDialog] = useState<"upgrade" | "delete" | undefined>(undefined);
  const now = useMinuteClock();

  const values: FilterValues = { project: params.get("project") ?? "", labels: params.get("labels") ?? "", version: params.get("version") ?? "", health: params.get("health") ?? "" };
  const parsedLabels = parseSelector(values.labels);
  const rows = fleetRows(list.map((p) => ({ name: p.metadata.name, role: roleIn(p), editable: canEdit(roleIn(p)), clusters: fleet.clusters.get(p.metadata.name) ?? [] })));
  const shown = filterRows(rows, { project: values.project, labels: parsedLabels.ok ? parsedLabels.requirements : [], version: values.version, health: values.health });
  const chosen = rows.filter((r) => r.editable && selected.has(r.key)).map((r) => ({ project: r.project, name: r.cluster.metadata.name }));

  function changeFilters(next: FilterValues): void {
    const search = new URLSearchParams();
    for (const name of filterNames) if (next[name] !== "") search.set(name, next[name]);
    setParams(search, { replace: true });
  }

  function select(keys: readonly string[], on: boolean): void {
    setSelected((previous) => {
      const next = new Set(previous);
      for (const key of keys) {
        if (on) next.add(key);
        else next.delete(key);
      }
      return next;
    });
  }

  const empty = !fleet.loading && rows.length === 0 && fleet.errors.length === 0;
  return (
    <>
      <FleetFilters values={values} projects={list.map((p) => p.metadata.name)} versions={versionOptions(rows)} onChange={changeFilters} />
      <WatchStatus states={watches} />
      {fleet.errors.map(({ project, error }) => <ErrorMessage key={project} error={error} title={`The clusters of project ${project} could not be loaded.`} />)}
      {chosen.length === 0 ? null : <BulkBar count={chosen.length} onOpen={setDialog} onClear={() => setSelected(new Set())} />}
      {fleet.loading ? <Progress label="Loading clusters…" /> : null}
      {empty ? <NoClusters mayCreate={mayCreate} /> : null}
      {rows.length > 0 ? <p className="muted" role="status">{countText(shown.length, rows.length)}</p> : null}
      {shown.length > 0 ? <FleetTable rows={shown} pools={fleet.pools} selected={selected} onSelect={select} now={now} /> : null}
      {dialog === "upgrade" ? <BulkUpgradeDialog clusters={chosen} onClose={() => setDialog(undefined)} /> : null}
      {dialog === "delete" ? <BulkDeleteDialog clusters={chosen} onClose={() => setDialog(undefined)} /> : null}
    </>
  );
}

/** "3 clusters", or how many of them the filters let through. */
function countText(shown: number, all: number): string {
  return shown === all ? `${all} cluster${all === 1 ? "" : "s"}` : `${shown} of ${all} clusters match the filters`;
}

/** The actions on the selected clusters. */
function BulkBar(props: { count: number; onOpen: (dialog: "upgrade" | "delete") => void; onClear: () => void }): ReactNode {
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <span>{props.count} selected</span>
      <button type="button" className="button" onClick={() => props.onOpen("upgrade")}>Upgrade selected</button>
      <button type="button" className="button button-danger" onClick={() => props.onOpen("delete")}>Delete selected</button>
      <button type="button" className="button button-link" onClick={props.onClear}>Clear selection</button>
    </div>
  );
}

/** The fleet of projects without clusters. */
function NoClusters(props: { mayCreate: boolean }): ReactNode {
  return (
    <div className="empty-state">
      <p>No clusters yet.{props.mayCreate ? <> <Link to="/create">Create a cluster</Link> to get started.</> : " Nobody has created one in your projects."}</p>
    </div>
  );
}
