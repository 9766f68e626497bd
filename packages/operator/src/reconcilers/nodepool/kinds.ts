import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The NodePool kind, for informers and the controller. */
export const nodePoolKindRef: KindRef = { apiVersion, kind: "NodePool", plural: "nodepools", namespaced: true };
