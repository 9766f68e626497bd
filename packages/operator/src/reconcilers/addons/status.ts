import { ClusterConditions, ClusterReasons, type AddonStatus, type Condition } from "@seedbed/api";
import { setCondition, type ConditionInput } from "@seedbed/runtime";
import { isDeepStrictEqual } from "node:util";

/**
 * The AddonsReady condition for a cluster's add-ons: True when every one
 * is Installed and ready; False naming each that is not (Failed ones first,
 * with their messages); none at all when the cluster has no add-ons.
 */
export function addonsReadyCondition(addons: readonly AddonStatus[]): ConditionInput | undefined {
  if (addons.length === 0) return undefined;
  const failed = addons.filter((a) => a.phase === "Failed");
  const waiting = addons.filter((a) => a.phase !== "Failed" && !a.ready);
  if (failed.length === 0 && waiting.length === 0) {
    return { type: ClusterConditions.AddonsReady, status: "True", reason: ClusterReasons.AddonsInstalled, message: `${addons.map((a) => `${a.name}${a.version === undefined ? "" : ` ${a.version}`}`).join(", ")} installed and ready` };
  }
  const describe = (a: AddonStatus): string => `${a.name} ${a.phase === "Removing" ? "is being removed" : a.phase === "Failed" ? "failed" : "is not ready"}${a.message === undefined ? "" : `: ${a.message}`}`;
  return {
    type: ClusterConditions.AddonsReady,
    status: "False",
    reason: failed.length > 0 ? ClusterReasons.AddonFailed : ClusterReasons.AddonsNotReady,
    message: [...failed, ...waiting].map(describe).join("; "),
  };
}

/** What the add-on controller writes: status.addons and its one condition. */
export interface AddonStatusWrite {
  readonly addons: AddonStatus[];
  readonly conditions: Condition[];
}

/**
 * The status to apply, or undefined when the cluster already shows it
 * (then the pass sends nothing). The condition keeps its transition time
 * while its status holds.
 */
export function addonStatusWrite(current: { addons?: readonly AddonStatus[]; conditions?: readonly Condition[] } | undefined, addons: AddonStatus[], now: number): AddonStatusWrite | undefined {
  const input = addonsReadyCondition(addons);
  const existing = current?.conditions?.find((c) => c.type === ClusterConditions.AddonsReady);
  const conditions = input === undefined ? [] : setCondition(existing === undefined ? [] : [existing], input, now);
  const sameAddons = isDeepStrictEqual(current?.addons ?? [], addons);
  const sameCondition = isDeepStrictEqual(existing === undefined ? [] : [existing], conditions);
  return sameAddons && sameCondition ? undefined : { addons, conditions };
}
