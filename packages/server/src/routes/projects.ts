import { group, projectKind, type Project, type ProjectRole } from "@seedbed/api";
import Type from "typebox";
import { mayI, whoAmI } from "../auth/caller.ts";
import { roleOf } from "../auth/membership.ts";
import { HttpError } from "../errors.ts";
import { fromKubeError } from "../kube/errors.ts";
import { trimmed } from "../kube/objects.ts";
import { projects as projectsKind } from "../kube/resources.ts";
import { projectParam } from "../validation/schemas.ts";
import { clientFor, type App, type RouteContext } from "./context.ts";
import { errors, objectSchema } from "./docs.ts";

/** The caller's role in a project: a member's, or admin for one who sees it by RBAC alone (a platform admin). */
type CallerRole = ProjectRole | "admin";

/** A Project as GET /projects shows it: the stored object and, beside it, the caller's role. */
const ProjectWithRole = Type.Intersect([
  objectSchema(projectKind),
  Type.Object({
    role: Type.Enum(["owner", "editor", "viewer", "admin"], {
      description: "The caller's role in the project: a member's (the strongest of its user and group entries), or admin for a caller who sees the project without being a member (a platform admin). RBAC still decides each request.",
    }),
  }),
]);

/**
 * The project as the API shows it, with the caller's role beside it, so
 * the dashboard offers only what the caller may do (RBAC still decides).
 */
function withRole(project: Project, role: CallerRole): Record<string, unknown> & { role: CallerRole } {
  return { ...trimmed(project, projectsKind), role };
}

/**
 * GET /projects and /projects/:project: the projects the caller is a
 * member of (by user name or group), or all of them for a caller who may
 * list Projects. Who the caller is comes from the management API
 * (SelfSubjectReview, with the caller's token); membership from the
 * server's own cache of Projects. A project the caller may not see is a
 * 404, the same as one that does not exist, so names do not leak.
 */
export function projectRoutes(app: App, ctx: RouteContext): void {
  app.get("/projects", {
    schema: {
      tags: ["projects"],
      summary: "The projects the caller is a member of",
      description: "All projects for a caller who may list Project objects. Each item carries `role`: the caller's (owner, editor, viewer), or admin for a caller who sees it without being a member.",
      response: { 200: Type.Object({ items: Type.Array(ProjectWithRole) }, { description: "Project objects, each with the caller's role." }), ...errors(503) },
    },
  }, async (request) => {
    const client = clientFor(ctx, request);
    try {
      const caller = await whoAmI(client);
      const all = await mayI(client, { verb: "list", group, resource: "projects" });
      const items = ctx.projects.list().filter((p) => all || roleOf(p, caller) !== undefined);
      return { items: items.map((p) => withRole(p, roleOf(p, caller) ?? "admin")) };
    } catch (error) {
      throw fromKubeError(error);
    }
  });

  app.get("/projects/:project", {
    schema: {
      tags: ["projects"],
      summary: "One project the caller is a member of",
      params: Type.Object({ project: projectParam }),
      response: { 200: ProjectWithRole, ...errors(400, 404, 503) },
    },
  }, async (request) => {
    const { project: name } = request.params;
    const client = clientFor(ctx, request);
    let visible: { project: Project; role: CallerRole } | undefined;
    try {
      const caller = await whoAmI(client);
      const project = ctx.projects.get(name);
      const role = project && roleOf(project, caller);
      if (project && role !== undefined) visible = { project, role };
      else if (project && (await mayI(client, { verb: "get", group, resource: "projects", name }))) visible = { project, role: "admin" };
    } catch (error) {
      throw fromKubeError(error);
    }
    if (!visible) throw new HttpError(404, "NotFound", `project ${name} not found`);
    return withRole(visible.project, visible.role);
  });
}
