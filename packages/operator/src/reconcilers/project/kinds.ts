import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The Project kind (cluster-scoped). */
export const projectKindRef: KindRef = { apiVersion, kind: "Project", plural: "projects", namespaced: false };
