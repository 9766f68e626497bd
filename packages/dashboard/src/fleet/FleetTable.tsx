import type { ReactNode } from "react";
import { Link } from "react-router";
import type { NodePool } from "../api/types.ts";
import { Badge, PhaseBadge } from "../ui/Badge.tsx";
import { backupCell, certificateCell, nodesCell, upgradeCell, versionCell, type Cell } from "./columns.ts";
import { HealthBadge } from "./HealthBadge.tsx";
import type { FleetRow } from "./rows.ts";

/** A cell's text, as a badge when it deserves colour. */
function CellText(props: { cell: Cell }): ReactNode {
  const { cell } = props;
  if (cell.tone === undefined || cell.tone === "ok" || cell.tone === "neutral") return <span {...(cell.title === undefined ? {} : { title: cell.title })}>{cell.text}</span>;
  return <Badge tone={cell.tone} {...(cell.title === undefined ? {} : { title: cell.title })}>{cell.text}</Badge>;
}

/**
 * The fleet table: a row per cluster. On a phone width the CSS stacks each
 * row into a card and shows each cell's data-label before it.
 */
export function FleetTable(props: {
  rows: readonly FleetRow[];
  pools: ReadonlyMap<string, readonly NodePool[]>;
  selected: ReadonlySet<string>;
  onSelect: (keys: readonly string[], selected: boolean) => void;
  now: number;
}): ReactNode {
  const { rows, selected, onSelect, now } = props;
  const selectable = rows.filter((r) => r.editable);
  const allSelected = selectable.length > 0 && selectable.every((r) => selected.has(r.key));
  return (
    <div className="table-wrap">
      <table className="data-table fleet-table">
        <caption className="visually-hidden">Clusters of every project you can see</caption>
        <thead>
          <tr>
            <th scope="col" className="select-cell">
              {selectable.length === 0 ? <span className="visually-hidden">Select</span> : (
                <input type="checkbox" aria-label="Select all shown clusters" checked={allSelected} onChange={(e) => onSelect(selectable.map((r) => r.key), e.target.checked)} />
              )}
            </th>
            <th scope="col">Name</th>
            <th scope="col">Project</th>
            <th scope="col">Version</th>
            <th scope="col">Phase</th>
            <th scope="col">Health</th>
            <th scope="col">Nodes</th>
            <th scope="col">Last backup</th>
            <th scope="col">Certificates</th>
            <th scope="col">Upgrade</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const { cluster, project } = row;
            const name = cluster.metadata.name;
            return (
              <tr key={row.key}>
                <td className="select-cell">
                  {row.editable ? <input type="checkbox" aria-label={`Select ${project}/${name}`} checked={selected.has(row.key)} onChange={(e) => onSelect([row.key], e.target.checked)} /> : null}
                </td>
                <th scope="row" data-label="Name" className="name-cell">
                  <Link to={`/projects/${encodeURIComponent(project)}/clusters/${encodeURIComponent(name)}`}>{name}</Link>
                  {cluster.metadata.deletionTimestamp === undefined ? null : <span className="muted"> (deleting)</span>}
                </th>
                <td data-label="Project">{project}</td>
                <td data-label="Version"><CellText cell={versionCell(cluster)} /></td>
                <td data-label="Phase"><PhaseBadge phase={cluster.status?.phase} /></td>
                <td data-label="Health"><HealthBadge cluster={cluster} /></td>
                <td data-label="Nodes"><CellText cell={nodesCell(cluster, props.pools.get(project) ?? [])} /></td>
                <td data-label="Last backup"><CellText cell={backupCell(cluster, now)} /></td>
                <td data-label="Certificates"><CellText cell={certificateCell(cluster, now)} /></td>
                <td data-label="Upgrade"><CellText cell={upgradeCell(cluster)} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
