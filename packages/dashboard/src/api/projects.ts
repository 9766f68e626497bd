import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useApi } from "./client.ts";
import { queryKeys } from "./keys.ts";
import type { List, Project, Role } from "./types.ts";

/** The projects the caller is a member of (all of them for a platform admin), each with the caller's role. */
export function useProjects(): UseQueryResult<Project[]> {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.projects,
    queryFn: async () => (await api.get<List<Project>>("/projects")).items,
  });
}

/** The caller's role in a project; a project listed without one is read-only. */
export function roleIn(project: Pick<Project, "role">): Role {
  return project.role ?? "viewer";
}

/** Whether a role may create and change clusters. */
export function canEdit(role: Role | undefined): boolean {
  return role === "owner" || role === "editor" || role === "admin";
}

/** Whether a role may do what only owners may (admin kubeconfigs, members). */
export function isOwner(role: Role | undefined): boolean {
  return role === "owner" || role === "admin";
}
