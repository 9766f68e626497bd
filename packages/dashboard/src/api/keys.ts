// Query keys shared by every screen, so the live watch (fleet/watch.ts)
// updates the lists and the cluster page alike.

/** TanStack Query keys of the API's resources. */
export const queryKeys = {
  projects: ["projects"] as const,
  clusters: (project: string) => ["projects", project, "clusters"] as const,
  cluster: (project: string, name: string) => ["projects", project, "clusters", name] as const,
  nodePools: (project: string) => ["projects", project, "nodepools"] as const,
  templates: (project: string) => ["projects", project, "clustertemplates"] as const,
  config: ["dashboard-config"] as const,
};
