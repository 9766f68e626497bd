import { apiVersion } from "@seedbed/api";
import type { KindRef } from "@seedbed/runtime";

/** The UpgradePlan kind (cluster-scoped), for informers and the controller. */
export const upgradePlanKindRef: KindRef = { apiVersion, kind: "UpgradePlan", plural: "upgradeplans", namespaced: false };
