import type { ReactNode } from "react";
import { Link } from "react-router";
import { roleIn, useProjects } from "../api/projects.ts";
import type { Project } from "../api/types.ts";
import { NoMembership } from "../app/NoMembership.tsx";
import { useFleetData } from "../fleet/data.ts";
import { PhaseBadge } from "../ui/Badge.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";

/** What each role may do, in words. */
const roleHelp: Record<string, string> = {
  owner: "everything, including members and admin kubeconfigs",
  editor: "create and change clusters",
  viewer: "read only",
  admin: "platform admin: everything in every project",
};

/** /projects: the projects the user belongs to, their role and cluster count. */
export function ProjectsPage(): ReactNode {
  useDocumentTitle("Projects");
  const projects = useProjects();
  const list = projects.data ?? [];
  const fleet = useFleetData(list);

  let body: ReactNode;
  if (projects.isPending) body = <Progress label="Loading your projects…" />;
  else if (projects.isError) body = <ErrorMessage error={projects.error} title="Your projects could not be loaded." />;
  else if (list.length === 0) body = <NoMembership />;
  else body = <ProjectTable projects={list} counts={fleet.clusters} />;

  return (
    <>
      <div className="page-header"><h1>Projects</h1></div>
      {body}
    </>
  );
}

function ProjectTable(props: { projects: readonly Project[]; counts: ReadonlyMap<string, readonly unknown[]> }): ReactNode {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">Your projects</caption>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Role</th>
            <th scope="col">Clusters</th>
            <th scope="col">Status</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {[...props.projects].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((project) => {
            const name = project.metadata.name;
            const role = roleIn(project);
            const count = props.counts.get(name)?.length;
            return (
              <tr key={name}>
                <th scope="row" data-label="Project">
                  {name}
                  {project.spec.displayName === undefined ? null : <div className="muted">{project.spec.displayName}</div>}
                </th>
                <td data-label="Role"><span className={`role role-${role}`} title={roleHelp[role]}>{role}</span></td>
                <td data-label="Clusters">
                  {count === undefined ? <span className="muted">…</span> : <Link to={`/clusters?project=${encodeURIComponent(name)}`} aria-label={`${count} cluster${count === 1 ? "" : "s"} in ${name}`}>{count}</Link>}
                </td>
                <td data-label="Status"><PhaseBadge phase={project.status?.phase} /></td>
                <td data-label="Description">{project.spec.description ?? <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
