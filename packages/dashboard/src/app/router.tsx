import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { ClusterPage } from "../cluster/ClusterPage.tsx";
import { CreateClusterPage } from "../create/CreateClusterPage.tsx";
import { FleetPage } from "../fleet/FleetPage.tsx";
import { ProjectsPage } from "../projects/ProjectsPage.tsx";
import { Layout } from "./Layout.tsx";
import { NotFoundPage } from "./NotFoundPage.tsx";

/** The signed-in dashboard's pages. /callback is handled by AuthProvider before the router starts; reaching it here just goes home. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/clusters" replace /> },
      { path: "callback", element: <Navigate to="/clusters" replace /> },
      { path: "clusters", element: <FleetPage /> },
      { path: "projects", element: <ProjectsPage /> },
      { path: "create", element: <CreateClusterPage /> },
      { path: "projects/:project/clusters/:name", element: <ClusterPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

/** A router over the browser's history (made once the user is signed in, so /callback is already gone from the URL). */
export function makeRouter(): ReturnType<typeof createBrowserRouter> {
  return createBrowserRouter(routes);
}
