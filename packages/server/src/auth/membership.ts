import type { Project, ProjectRole } from "@seedbed/api";
import type { Caller } from "./caller.ts";

/**
 * The role `caller` has in `project` through spec.members, by user name
 * or by one of their groups (the strongest when several match), or
 * undefined for a non-member. The RoleBindings the operator makes from
 * the same list are what Kubernetes enforces; this only decides what the
 * project list shows.
 */
export function roleOf(project: Pick<Project, "spec">, caller: Caller): ProjectRole | undefined {
  const order: readonly ProjectRole[] = ["owner", "editor", "viewer"];
  const groups = new Set(caller.groups);
  let best: ProjectRole | undefined;
  for (const member of project.spec.members) {
    // kind defaults to User (the apiserver fills it in; a cached object may predate that).
    const matches = member.kind === "Group" ? groups.has(member.name) : member.name === caller.username;
    if (matches && (best === undefined || order.indexOf(member.role) < order.indexOf(best))) best = member.role;
  }
  return best;
}
